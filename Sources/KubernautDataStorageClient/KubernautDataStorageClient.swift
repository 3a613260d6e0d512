// The rest of this module is generated at build time by OpenAPICodegenPlugin from
// openapi/kubernaut-datastorage.yaml (see openapi-codegen.yaml here); a committed copy lives
// in Generated/KubernautDataStorageClient for review and drift checks.

// Callers of the generated client need the runtime's transport, middleware and error types.
@_exported import OpenAPICodegenRuntime
