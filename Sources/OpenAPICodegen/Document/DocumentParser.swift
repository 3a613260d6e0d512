import YAML

extension LoadSession {
    static let httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func loadDocument(at path: String) -> OpenAPIDocument? {
        guard let root = root(ofFile: path, referencedAt: nil) else { return nil }
        guard let pairs = root.mapping else {
            diagnostics.error("an OpenAPI document must be a mapping, found \(root.kindDescription)", at: root.location)
            return nil
        }
        guard readVersion(root) else { return nil }
        var title = "API"
        var operations: [Operation] = []
        var rootSecurity: SecurityRequirements?
        var servers: [Server] = []
        let schemes = root["components"]?["securitySchemes"].map(parseSecuritySchemes) ?? []
        // Root component schemas are registered first, so they keep their own names.
        if let components = root["components"], let schemas = components["schemas"] {
            for pair in mapping(schemas, "components.schemas") ?? [] {
                guard let name = string(pair.key, "schema name") else { continue }
                let key = SchemaKey(file: path, pointer: "/components/schemas/" + Self.escapePointerToken(name))
                register(key, node: pair.value, name: name)
            }
        }
        for pair in pairs {
            switch pair.key.scalar?.value {
            case "openapi", "swagger", "components", "tags", "externalDocs", "jsonSchemaDialect":
                break
            case "servers":
                servers = parseServers(pair.value)
            case "security":
                rootSecurity = parseSecurity(pair.value, schemes: schemes)
            case "info":
                title = pair.value["title"].flatMap { string($0, "info.title") } ?? title
            case "paths":
                for path in mapping(pair.value, "paths") ?? [] {
                    guard let template = string(path.key, "path") else { continue }
                    operations += parsePathItem(template, path.value, file: path.value.location.file, schemes: schemes)
                }
            case "webhooks":
                diagnostics.warning("webhooks are not generated" + (version == .v3_0 ? " ('webhooks' is an OpenAPI 3.1 field; this document declares 3.0)" : ""), at: pair.key.location)
            default:
                unsupported(pair.key, in: "the document")
            }
        }
        parsePendingSchemas()
        for index in operations.indices where operations[index].security == nil {
            operations[index].security = rootSecurity
        }
        return OpenAPIDocument(
            version: version, sourcePath: path, title: title, schemas: namedSchemas, operations: operations,
            securitySchemes: schemes, servers: servers)
    }

    private func readVersion(_ root: Node) -> Bool {
        if let swagger = root["swagger"] {
            diagnostics.error("Swagger \(swagger) documents are not supported; convert the document to OpenAPI 3", at: swagger.location)
            return false
        }
        guard let field = root["openapi"] else {
            diagnostics.error("missing 'openapi' version field; expected 'openapi: 3.0.x' or 'openapi: 3.1.x'", at: root.location)
            return false
        }
        let text = field.scalar?.value ?? ""
        if text.hasPrefix("3.0") {
            setVersion(.v3_0)
        } else if text.hasPrefix("3.1") {
            setVersion(.v3_1)
        } else {
            diagnostics.error("unsupported OpenAPI version '\(field)'; expected 3.0.x or 3.1.x", at: field.location)
            return false
        }
        return true
    }

    static func escapePointerToken(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    // MARK: Paths and operations

    private func parsePathItem(_ template: String, _ node: Node, file: String, schemes: [SecurityScheme]) -> [Operation] {
        guard let (item, file) = dereference(node, file: file), let pairs = mapping(item, "path item '\(template)'") else { return [] }
        let shared = item["parameters"].map { parseParameters($0, file: file) } ?? []
        var operations: [Operation] = []
        for pair in pairs {
            guard let key = pair.key.scalar?.value else { continue }
            if Self.httpMethods.contains(key) {
                if let operation = parseOperation(key, template, pair.value, file: file, shared: shared, schemes: schemes) {
                    operations.append(operation)
                }
            } else if key == "servers" {
                diagnostics.warning("'servers' of a path item is not generated; the client sends every path to its one server URL", at: pair.key.location)
            } else if !["parameters", "summary", "description", "$ref"].contains(key) {
                unsupported(pair.key, in: "path item '\(template)'")
            }
        }
        return operations
    }

    private func parseOperation(_ method: String, _ path: String, _ node: Node, file: String, shared: [Parameter], schemes: [SecurityScheme]) -> Operation? {
        guard let pairs = mapping(node, "\(method) \(path)") else { return nil }
        var operation = Operation(
            operationID: nil, method: method.uppercased(), path: path, summary: nil, description: nil, deprecated: false,
            tags: [], parameters: [], requestBody: nil, responses: [], security: nil, location: node.location)
        var own: [Parameter] = []
        for pair in pairs {
            switch pair.key.scalar?.value {
            case "operationId": operation.operationID = string(pair.value, "operationId")
            case "summary": operation.summary = string(pair.value, "summary")
            case "description": operation.description = string(pair.value, "description")
            case "deprecated": operation.deprecated = bool(pair.value, "deprecated") ?? false
            case "parameters": own = parseParameters(pair.value, file: file)
            case "requestBody": operation.requestBody = parseRequestBody(pair.value, file: file)
            case "responses": operation.responses = parseResponses(pair.value, file: file)
            case "tags": operation.tags = (sequence(pair.value, "tags") ?? []).compactMap { string($0, "tag") }
            case "externalDocs": break
            case "security":
                operation.security = parseSecurity(pair.value, schemes: schemes)
            case "servers":
                diagnostics.warning("'servers' of an operation is not generated; the client sends it to its one server URL", at: pair.key.location)
            case "callbacks": diagnostics.warning("callbacks are not generated", at: pair.key.location)
            default: unsupported(pair.key, in: "operation '\(method.uppercased()) \(path)'")
            }
        }
        // Operation-level parameters override path-level ones with the same name and place.
        let overridden = Set(own.map { "\($0.location.rawValue):\($0.name)" })
        operation.parameters = shared.filter { !overridden.contains("\($0.location.rawValue):\($0.name)") } + own
        if operation.responses.isEmpty {
            diagnostics.warning("operation has no responses; every status will come back as undocumented", at: node.location)
        }
        return operation
    }

    private func parseParameters(_ node: Node, file: String) -> [Parameter] {
        (sequence(node, "parameters") ?? []).compactMap { parseParameter($0, file: file) }
    }

    private func parseParameter(_ node: Node, file: String) -> Parameter? {
        guard let (item, file) = dereference(node, file: file), let pairs = mapping(item, "parameter") else { return nil }
        guard let nameNode = item["name"], let name = string(nameNode, "name") else {
            diagnostics.error("a parameter needs a 'name'", at: item.location)
            return nil
        }
        guard let inNode = item["in"], let place = string(inNode, "in").flatMap(ParameterLocation.init(rawValue:)) else {
            diagnostics.error("parameter '\(name)' needs 'in' to be path, query, header or cookie", at: item["in"]?.location ?? item.location)
            return nil
        }
        var parameter = Parameter(
            name: name, location: place, required: place == .path, description: nil, deprecated: false,
            schema: .inline(SchemaObject(location: item.location)), style: .default(for: place),
            explode: place == .query || place == .cookie, sourceLocation: item.location)
        var explodeWritten = false
        var hasSchema = false
        for pair in pairs {
            switch pair.key.scalar?.value {
            case "name", "in", "example", "examples": break
            case "allowEmptyValue", "allowReserved":
                if bool(pair.value, pair.key.scalar?.value ?? "") == true {
                    diagnostics.warning("'\(pair.key)' of parameter '\(name)' is not applied: empty values are left out and reserved characters are percent-encoded", at: pair.key.location)
                }
            case "required":
                let required = bool(pair.value, "required") ?? false
                if place == .path, !required {
                    diagnostics.warning("path parameter '\(name)' must be required; treated as required", at: pair.value.location)
                }
                parameter.required = required || place == .path
            case "description": parameter.description = string(pair.value, "description")
            case "deprecated": parameter.deprecated = bool(pair.value, "deprecated") ?? false
            case "schema":
                parameter.schema = parseSchema(pair.value, file: file)
                hasSchema = true
            case "explode":
                parameter.explode = bool(pair.value, "explode") ?? parameter.explode
                explodeWritten = true
            case "style":
                let text = string(pair.value, "style") ?? ""
                let fallback = ParameterStyle.default(for: place)
                if let style = ParameterStyle(rawValue: text), style.isAllowed(in: place) {
                    parameter.style = style
                } else {
                    diagnostics.warning("style '\(text)' is not allowed for \(place.rawValue) parameter '\(name)'; it is sent as \(fallback.rawValue)", at: pair.value.location)
                }
            case "content":
                diagnostics.warning("parameter '\(name)' uses 'content', which is not supported; it is sent as a string", at: pair.key.location)
            default:
                unsupported(pair.key, in: "parameter '\(name)'")
            }
        }
        // `explode` defaults to true for form and false for every other style, except deepObject,
        // which OpenAPI defines only exploded.
        if !explodeWritten { parameter.explode = parameter.style == .form || parameter.style == .deepObject }
        if !hasSchema {
            var schema = SchemaObject(location: item.location)
            schema.types = [.string]
            parameter.schema = .inline(schema)
        }
        return parameter
    }

    private func parseRequestBody(_ node: Node, file: String) -> RequestBody? {
        guard let (item, file) = dereference(node, file: file), let pairs = mapping(item, "requestBody") else { return nil }
        var body = RequestBody(required: false, description: nil, content: [], location: item.location)
        for pair in pairs {
            switch pair.key.scalar?.value {
            case "required": body.required = bool(pair.value, "required") ?? false
            case "description": body.description = string(pair.value, "description")
            case "content": body.content = parseContent(pair.value, file: file)
            default: unsupported(pair.key, in: "a request body")
            }
        }
        return body
    }

    private func parseContent(_ node: Node, file: String) -> [MediaType] {
        (mapping(node, "content") ?? []).compactMap { pair in
            guard let type = string(pair.key, "media type") else { return nil }
            let schema = pair.value["schema"].map { parseSchema($0, file: file) }
            for entry in pair.value.mapping ?? [] where !["schema", "example", "examples"].contains(entry.key.scalar?.value ?? "") {
                if entry.key.scalar?.value == "encoding" {
                    diagnostics.warning("'encoding' of media type '\(type)' is not applied; each part gets its default content type", at: entry.key.location)
                } else {
                    unsupported(entry.key, in: "media type '\(type)'")
                }
            }
            return MediaType(contentType: type, schema: schema)
        }
    }

    private func parseResponses(_ node: Node, file: String) -> [Response] {
        var responses: [Response] = []
        for pair in mapping(node, "responses") ?? [] {
            guard let text = pair.key.scalar?.value else { continue }
            if text.hasPrefix("x-") { continue }
            guard let status = Self.responseStatus(text) else {
                diagnostics.error("'\(text)' is not a response status: expected a code such as 200, a range such as 2XX, or default", at: pair.key.location)
                continue
            }
            guard let (item, file) = dereference(pair.value, file: file), let fields = mapping(item, "response \(text)") else { continue }
            var response = Response(status: status, description: nil, content: [], location: item.location)
            for field in fields {
                switch field.key.scalar?.value {
                case "description": response.description = string(field.value, "description")
                case "content": response.content = parseContent(field.value, file: file)
                case "headers": response.headers = parseHeaders(field.value, file: file)
                case "links": diagnostics.warning("links are not generated", at: field.key.location)
                default: unsupported(field.key, in: "response \(text)")
                }
            }
            if response.description == nil {
                diagnostics.warning("response \(text) has no 'description', which OpenAPI requires; read without one", at: item.location)
            }
            responses.append(response)
        }
        return responses
    }

    private func parseHeaders(_ node: Node, file: String) -> [Header] {
        (mapping(node, "headers") ?? []).compactMap { pair in
            guard let name = string(pair.key, "header name") else { return nil }
            // RFC 9110 leaves Content-Type to the body; OpenAPI says to ignore it here.
            guard name.lowercased() != "content-type" else { return nil }
            guard let (item, file) = dereference(pair.value, file: file), let fields = mapping(item, "header '\(name)'") else { return nil }
            var header = Header(name: name, required: false, description: nil, schema: .inline(SchemaObject(location: item.location)), location: item.location)
            var hasSchema = false
            for field in fields {
                switch field.key.scalar?.value {
                case "required": header.required = bool(field.value, "required") ?? false
                case "description": header.description = string(field.value, "description")
                case "schema":
                    header.schema = parseSchema(field.value, file: file)
                    hasSchema = true
                case "deprecated", "example", "examples", "style", "explode": break
                default: unsupported(field.key, in: "header '\(name)'")
                }
            }
            if !hasSchema {
                var schema = SchemaObject(location: item.location)
                schema.types = [.string]
                header.schema = .inline(schema)
            }
            return header
        }
    }

    static func responseStatus(_ text: String) -> ResponseStatus? {
        if text == "default" { return .default }
        if text.count == 3, let digit = text.first?.wholeNumberValue, (1...5).contains(digit), text.uppercased().hasSuffix("XX") {
            return .range(digit)
        }
        if let code = Int(text), (100...599).contains(code) { return .code(code) }
        return nil
    }

    // MARK: Security and servers

    private func parseSecuritySchemes(_ node: Node) -> [SecurityScheme] {
        var schemes: [SecurityScheme] = []
        for pair in mapping(node, "securitySchemes") ?? [] {
            guard let name = string(pair.key, "security scheme name"),
                let (item, _) = dereference(pair.value, file: pair.value.location.file), item.mapping != nil
            else { continue }
            let type = item["type"].flatMap { string($0, "type") } ?? ""
            let description = item["description"].flatMap { string($0, "description") }
            switch type {
            case "http":
                let scheme = (item["scheme"].flatMap { string($0, "scheme") } ?? "").lowercased()
                if scheme == "bearer" || scheme == "basic" {
                    schemes.append(SecurityScheme(name: name, kind: scheme == "bearer" ? .bearer : .basic, description: description))
                } else {
                    diagnostics.warning("HTTP authentication scheme '\(scheme)' of '\(name)' is not generated; only bearer and basic are", at: item.location)
                }
            case "apiKey":
                guard let keyName = item["name"].flatMap({ string($0, "name") }),
                    let place = item["in"].flatMap({ string($0, "in") }).flatMap(ParameterLocation.init(rawValue:)), place != .path
                else {
                    diagnostics.error("apiKey scheme '\(name)' needs 'name' and 'in' (header, query or cookie)", at: item.location)
                    continue
                }
                schemes.append(SecurityScheme(name: name, kind: .apiKey(name: keyName, location: place), description: description))
            case "oauth2", "openIdConnect":
                // The flows themselves are the application's business; the token they yield travels as a bearer token.
                schemes.append(SecurityScheme(name: name, kind: .bearer, description: description ?? "\(type): its access token is sent as a bearer token."))
            default:
                diagnostics.warning("security scheme '\(name)' of type '\(type)' is not generated", at: item.location)
            }
        }
        return schemes
    }

    private func parseSecurity(_ node: Node, schemes: [SecurityScheme]) -> SecurityRequirements {
        let known = Set(schemes.map(\.name))
        return (sequence(node, "security") ?? []).compactMap { alternative -> [String]? in
            guard let pairs = mapping(alternative, "security requirement") else { return nil }
            var names: [String] = []
            for pair in pairs {
                guard let name = string(pair.key, "security scheme name") else { continue }
                guard known.contains(name) else {
                    diagnostics.warning("security requirement names '\(name)', which is not a generated scheme of components/securitySchemes; that alternative is dropped", at: pair.key.location)
                    return nil
                }
                names.append(name)
            }
            return names
        }
    }

    private func parseServers(_ node: Node) -> [Server] {
        (sequence(node, "servers") ?? []).compactMap { item -> Server? in
            guard let urlNode = item["url"], let url = string(urlNode, "url") else {
                diagnostics.error("a server needs a 'url'", at: item.location)
                return nil
            }
            var server = Server(
                url: url, description: item["description"].flatMap { string($0, "description") }, variables: [], location: urlNode.location)
            for pair in item["variables"].flatMap({ mapping($0, "variables") }) ?? [] {
                guard let name = string(pair.key, "variable name") else { continue }
                guard let defaultValue = pair.value["default"].flatMap({ string($0, "default") }) else {
                    diagnostics.error("server variable '\(name)' needs a 'default'", at: pair.value.location)
                    continue
                }
                let allowed = pair.value["enum"].flatMap { sequence($0, "enum") }?.compactMap { string($0, "enum value") }
                server.variables.append(Server.Variable(
                    name: name, defaultValue: defaultValue, allowed: allowed, description: pair.value["description"].flatMap { string($0, "description") }))
            }
            return server
        }
    }
}
