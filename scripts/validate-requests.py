#!/usr/bin/env python3
"""Validates recorded request bodies against an OpenAPI document with openapi-core, an
independent reader of the spec (not ours): each body file is sent, as a request to the
operation given on the command line, through openapi-core's request validation.

usage: validate-requests.py SPEC METHOD PATH BODY.json...
Prints one line per body; exits 1 when any is invalid, 2 when the spec itself is.
"""
import json
import sys

import yaml

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest


def main() -> int:
    spec, method, path, *bodies = sys.argv[1:]
    try:
        openapi = OpenAPI.from_file_path(spec)
    except Exception as error:  # the spec did not load or is not valid OpenAPI
        print(f"{spec}: {error}")
        return 2
    # Requests go to the spec's first server, as openapi-core matches them against its servers.
    with open(spec) as file:
        servers = yaml.safe_load(file).get("servers") or [{"url": "http://datastorage.test"}]
    host = servers[0]["url"].rstrip("/")
    invalid = 0
    for body in bodies:
        with open(body, "rb") as file:
            data = file.read()
        # A bearer token satisfies specs that require one (ours does); the bodies are what is checked.
        request = MockRequest(host, method, path, data=data, content_type="application/json",
                              headers={"Authorization": "Bearer test-token"})
        try:
            openapi.validate_request(request)
            print(f"valid: {body} ({len(json.loads(data))} events)")
        except Exception as error:
            invalid += 1
            # The JSON Schema errors behind openapi-core's, each with where in the body it is.
            schema_errors = getattr(error.__cause__, "schema_errors", None) or []
            details = [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema_errors]
            print(f"INVALID: {body}: " + ("; ".join(details) or str(error).splitlines()[0]))
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
