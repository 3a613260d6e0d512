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
                diagnostics.warning("'servers' is not generated; pass the server URL to the client", at: pair.key.location)
            case "security":
                diagnostics.warning("'security' is not generated; add an authentication middleware to the client", at: pair.key.location)
            case "info":
                title = pair.value["title"].flatMap { string($0, "info.title") } ?? title
            case "paths":
                for path in mapping(pair.value, "paths") ?? [] {
                    guard let template = string(path.key, "path") else { continue }
                    operations += parsePathItem(template, path.value, file: path.value.location.file)
                }
            case "webhooks":
                diagnostics.warning("webhooks are not generated" + (version == .v3_0 ? " ('webhooks' is an OpenAPI 3.1 field; this document declares 3.0)" : ""), at: pair.key.location)
            default:
                unsupported(pair.key, in: "the document")
            }
        }
        parsePendingSchemas()
        return OpenAPIDocument(version: version, sourcePath: path, title: title, schemas: namedSchemas, operations: operations)
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

    private func parsePathItem(_ template: String, _ node: Node, file: String) -> [Operation] {
        guard let (item, file) = dereference(node, file: file), let pairs = mapping(item, "path item '\(template)'") else { return [] }
        let shared = item["parameters"].map { parseParameters($0, file: file) } ?? []
        var operations: [Operation] = []
        for pair in pairs {
            guard let key = pair.key.scalar?.value else { continue }
            if Self.httpMethods.contains(key) {
                if let operation = parseOperation(key, template, pair.value, file: file, shared: shared) {
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

    private func parseOperation(_ method: String, _ path: String, _ node: Node, file: String, shared: [Parameter]) -> Operation? {
        guard let pairs = mapping(node, "\(method) \(path)") else { return nil }
        var operation = Operation(
            operationID: nil, method: method.uppercased(), path: path, summary: nil, description: nil, deprecated: false,
            tags: [], parameters: [], requestBody: nil, responses: [], location: node.location)
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
                diagnostics.warning("'security' of an operation is not generated; add an authentication middleware to the client", at: pair.key.location)
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
            case "name", "in", "example", "examples", "allowEmptyValue", "allowReserved": break
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
        // `explode` defaults to true for form and false for every other style.
        if !explodeWritten { parameter.explode = parameter.style == .form }
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
            for entry in pair.value.mapping ?? [] where !["schema", "example", "examples", "encoding"].contains(entry.key.scalar?.value ?? "") {
                unsupported(entry.key, in: "media type '\(type)'")
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
                case "headers": diagnostics.warning("response headers are not generated", at: field.key.location)
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

    static func responseStatus(_ text: String) -> ResponseStatus? {
        if text == "default" { return .default }
        if text.count == 3, let digit = text.first?.wholeNumberValue, (1...5).contains(digit), text.uppercased().hasSuffix("XX") {
            return .range(digit)
        }
        if let code = Int(text), (100...599).contains(code) { return .code(code) }
        return nil
    }
}
