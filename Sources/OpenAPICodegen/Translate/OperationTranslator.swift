import Foundation

/// Translates operations into client methods and their `Operations.<Name>` namespaces.
extension SchemaTranslator {
    func translateOperations(_ operations: [Operation]) -> [OperationDeclaration] {
        var methodNames = NameAllocator.members(reserving: ["core"])
        var namespaces = NameAllocator(reserved: SwiftNaming.reservedTypeNames)
        let renamed = Dictionary(options.nameOverrides.map { ($0.from.value, $0.to) }, uniquingKeysWith: { first, _ in first })
        return operations.map { operation in
            let operationID = operation.operationID ?? Self.synthesizedOperationID(operation)
            let methodName = methodNames.allocate(renamed[operationID] ?? SwiftNaming.memberName(operationID))
            let namespace = namespaces.allocate(SwiftNaming.typeName(renamed[operationID] ?? operationID))
            return translate(operation, operationID: operationID, methodName: methodName, namespace: namespace)
        }
    }

    private static func synthesizedOperationID(_ operation: Operation) -> String {
        operation.method.lowercased() + " " + operation.path.replacingOccurrences(of: "{", with: "by ").replacingOccurrences(of: "}", with: "")
    }

    private func translate(_ operation: Operation, operationID: String, methodName: String, namespace: String) -> OperationDeclaration {
        var scope = nestedScope(for: TypeName(["Operations", namespace]))
        scope.names.reserve("Output")
        // The method body's own names, which an argument must not shadow.
        var argumentNames = NameAllocator.members(reserving: ["body", "operationID", "request", "response", "received", "query", "path", "form", "core"])
        var parameters: [ParameterDeclaration] = []
        for parameter in operation.parameters {
            var type = typeUsage(for: parameter.schema, suggestedName: parameter.name, scope: &scope).type
            var shape = parameterShape(type, schema: parameter.schema)
            if shape == .object, parameter.location == .cookie {
                diagnostics.warning("cookie parameter '\(parameter.name)' is an object, which the form style cannot spell in a cookie; it is sent as a String", at: parameter.sourceLocation)
                shape = nil
            }
            if shape == nil {
                diagnostics.warning("parameter '\(parameter.name)' has a type that cannot be sent as text; it is sent as a String", at: parameter.sourceLocation)
                type = .string
            }
            // A parameter read as a String instead of its schema's type cannot take the schema's checks.
            let typeIsSchemas = shape != nil
            let defaultValue = shape == .scalar || shape == .array ? inlineObject(parameter.schema)?.defaultValue.flatMap { defaultConstant($0, type: type, schema: parameter.schema) } : nil
            parameters.append(ParameterDeclaration(
                swiftName: argumentNames.allocate(SwiftNaming.memberName(parameter.name)), wireName: parameter.name,
                location: parameter.location, type: type, shape: shape ?? .scalar, isRequired: parameter.required,
                style: parameter.style, explode: parameter.explode, documentation: parameter.description,
                defaultValue: defaultValue, checks: typeIsSchemas ? checks(for: parameter.schema) : []))
        }
        var path: [PathPart] = []
        for segment in Self.pathSegments(operation.path) {
            if segment.hasPrefix("{"), let parameter = parameters.first(where: { "{\($0.wireName)}" == segment && $0.location == .path }) {
                path.append(.parameter(parameter.swiftName))
            } else if segment.hasPrefix("{") {
                diagnostics.error("path template \(segment) has no matching path parameter", at: operation.location)
            } else {
                path.append(.literal(segment))
            }
        }
        var responseNames = NameAllocator.members(reserving: ["undocumented", "statusCode"])
        let responses = operation.responses.sorted { $0.status < $1.status }.map { response in
            let swiftName = responseNames.allocate(Self.caseName(for: response.status))
            return ResponseCaseDeclaration(
                swiftName: swiftName,
                status: response.status,
                documentation: response.description,
                body: responseBody(response, namespace: namespace, scope: &scope),
                contentType: Self.decodedMediaType(response)?.contentType,
                headers: responseHeaders(response, caseName: swiftName, scope: &scope))
        }
        // Accept names only what the client decodes, so a server that could also send XML does not.
        var accepted: [String] = []
        for contentType in operation.responses.compactMap({ Self.decodedMediaType($0)?.contentType }) where !accepted.contains(contentType) {
            accepted.append(contentType)
        }
        return OperationDeclaration(
            methodName: methodName, namespace: namespace, operationID: operationID, httpMethod: operation.method, path: path,
            parameters: parameters, body: operation.requestBody.flatMap { requestBody($0, scope: &scope) }, responses: responses,
            acceptedContentTypes: accepted, documentation: [operation.summary, operation.description].compactMap { $0 }.joined(separator: "\n\n"),
            isDeprecated: operation.deprecated, security: operation.security, nestedTypes: scope.declarations)
    }

    private func responseHeaders(_ response: Response, caseName: String, scope: inout DeclarationScope) -> (typeName: TypeName, members: [HeaderDeclaration])? {
        guard !response.headers.isEmpty else { return nil }
        let typeName = scope.names.allocate(SwiftNaming.typeName(caseName) + "Headers")
        var memberNames = NameAllocator.members()
        let members = response.headers.map { header -> HeaderDeclaration in
            var type = typeUsage(for: header.schema, suggestedName: header.name, scope: &scope).type
            let shape = parameterShape(type, schema: header.schema)
            if shape != .scalar, shape != .array {
                diagnostics.warning("header '\(header.name)' is not a scalar or an array of scalars; it is read as a String", at: header.location)
                type = .string
            }
            return HeaderDeclaration(
                swiftName: memberNames.allocate(SwiftNaming.memberName(header.name)), wireName: header.name, type: type,
                isRequired: header.required, documentation: header.description)
        }
        return (scope.qualified(typeName), members)
    }

    /// Splits `/a/{id}/b` into `/a/`, `{id}`, `/b`.
    static func pathSegments(_ template: String) -> [String] {
        var segments: [String] = []
        var current = ""
        for character in template {
            if character == "{" {
                if !current.isEmpty { segments.append(current) }
                current = "{"
            } else if character == "}", current.hasPrefix("{") {
                segments.append(current + "}")
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { segments.append(current) }
        return segments
    }

    /// How a parameter of this type is sent, or nil when no style can spell it.
    private func parameterShape(_ type: TypeUsage, schema: Schema) -> ParameterShape? {
        let object = unwrapped(schema)
        func isScalar(_ type: TypeUsage, _ schema: Schema?) -> Bool {
            switch type {
            case .builtin(let builtin): return builtin.isParameterScalar
            case .named(let name):
                // A supplied type standing for a scalar schema must conform to ParameterValue itself.
                let isSuppliedScalar = suppliedTypeNames.contains(name)
                    && schema.flatMap(unwrapped).map { !$0.types.contains(.object) && !$0.types.contains(.array) } == true
                return isSuppliedScalar || schema.map(isOpenEnum) == true
            case .array, .dictionary: return false
            }
        }
        switch type {
        case .builtin(.jsonObject):
            return .object
        case .builtin:
            return isScalar(type, schema) ? .scalar : nil
        case .named:
            if isScalar(type, schema) { return .scalar }
            guard let object else { return nil }
            let isObject = !object.properties.isEmpty || !object.allOf.isEmpty || object.types == [.object]
            return isObject && object.oneOf.isEmpty && object.anyOf.isEmpty ? .object : nil
        case .array(let element):
            return isScalar(element, object?.items) ? .array : nil
        case .dictionary(let value):
            guard case .schema(let values)? = object?.additionalProperties else { return nil }
            return isScalar(value, values) ? .object : nil
        }
    }

    /// The inline definition behind a schema, through `$ref`s and single-member wrappers.
    private func unwrapped(_ schema: Schema) -> SchemaObject? {
        guard var object = inlineObject(schema) else { return nil }
        if let single = Self.singleWrappedMember(&object) { return inlineObject(single) }
        return object
    }

    private func isOpenEnum(_ schema: Schema) -> Bool {
        guard let object = unwrapped(schema), let values = object.enumValues else { return false }
        return enumRawType(object, values: values) != nil
    }

    static func isJSON(_ contentType: String) -> Bool {
        let base = baseMediaType(contentType)
        return base == "application/json" || base.hasSuffix("+json") || base == "*/*"
    }

    /// Media types of JSON values one per line, decoded as they arrive.
    static let jsonLinesMediaTypes: Set<String> = ["application/jsonl", "application/x-ndjson", "application/json-seq"]

    static func baseMediaType(_ contentType: String) -> String {
        contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    private func requestBody(_ body: RequestBody, scope: inout DeclarationScope) -> RequestBodyDeclaration? {
        // JSON first, then the typed encodings, then whatever comes first as bytes.
        let preference = [Self.isJSON, { Self.baseMediaType($0) == "multipart/form-data" }, { Self.baseMediaType($0) == "application/x-www-form-urlencoded" }, { $0.hasPrefix("text/") }]
        guard let media = preference.lazy.compactMap({ test in body.content.first { test($0.contentType) } }).first ?? body.content.first else { return nil }
        if body.content.count > 1 {
            let others = body.content.map(\.contentType).filter { $0 != media.contentType }
            diagnostics.warning("the request body is sent as \(media.contentType) only; \(others.joined(separator: ", ")) is not generated", at: body.location)
        }
        let base = Self.baseMediaType(media.contentType)
        if base == "multipart/form-data" || base == "application/x-www-form-urlencoded" {
            guard let schema = media.schema, let object = inlineObject(schema), isDeclarable(object) || object.types == [.object] else {
                diagnostics.warning("a \(base) body needs an object schema to be typed; the method takes it as Data", at: body.location)
                return RequestBodyDeclaration(type: .data, isRequired: body.required, contentType: media.contentType, encoding: .raw)
            }
            let type = typeUsage(for: schema, suggestedName: "Body", scope: &scope).type
            return RequestBodyDeclaration(
                type: type, isRequired: body.required, contentType: media.contentType,
                encoding: base == "multipart/form-data" ? .multipart : .formURLEncoded, checks: checks(for: schema))
        }
        if base.hasPrefix("text/") {
            return RequestBodyDeclaration(type: .string, isRequired: body.required, contentType: media.contentType, encoding: .text)
        }
        guard Self.isJSON(media.contentType) else {
            return RequestBodyDeclaration(type: .data, isRequired: body.required, contentType: media.contentType, encoding: .raw)
        }
        let type = media.schema.map { typeUsage(for: $0, suggestedName: "Body", scope: &scope).type } ?? .jsonValue
        return RequestBodyDeclaration(
            type: type, isRequired: body.required, contentType: media.contentType == "*/*" ? "application/json" : media.contentType,
            encoding: .json, checks: media.schema.map { checks(for: $0) } ?? [])
    }

    /// The media type a response is read as: JSON when it offers JSON, else the first.
    static func decodedMediaType(_ response: Response) -> MediaType? {
        response.content.first(where: { isJSON($0.contentType) }) ?? response.content.first
    }

    private func responseBody(_ response: Response, namespace: String, scope: inout DeclarationScope) -> (type: TypeUsage, decoding: ResponseBodyDecoding)? {
        guard let media = Self.decodedMediaType(response) else { return nil }
        if response.content.count > 1 {
            let others = response.content.map(\.contentType).filter { $0 != media.contentType }
            diagnostics.warning("the response is read as \(media.contentType) only; \(others.joined(separator: ", ")) is not generated", at: response.location)
        }
        let base = Self.baseMediaType(media.contentType)
        if base == "text/event-stream" {
            guard let schema = media.schema, let object = inlineObject(schema), object.types != [.string] else { return (.string, .serverSentEventsText) }
            return (typeUsage(for: schema, suggestedName: "Event", scope: &scope).type, .serverSentEvents)
        }
        if Self.jsonLinesMediaTypes.contains(base) {
            // Specs describe the lines either as one item's schema or as an array of them.
            var line = media.schema
            if let schema = line, let object = inlineObject(schema), object.types == [.array], let items = object.items { line = items }
            return (line.map { typeUsage(for: $0, suggestedName: "Line", scope: &scope).type } ?? .jsonValue, .jsonLines)
        }
        if Self.isJSON(media.contentType) {
            let suggested = Self.caseName(for: response.status).prefix(1).uppercased() + Self.caseName(for: response.status).dropFirst() + "Body"
            let type = media.schema.map { typeUsage(for: $0, suggestedName: suggested, scope: &scope).type } ?? .jsonValue
            return (type, .json)
        }
        if media.contentType.hasPrefix("text/") { return (.string, .text) }
        return (.data, .raw)
    }

    /// `created` for 201, `clientError` for 4XX, `default` for default.
    static func caseName(for status: ResponseStatus) -> String {
        switch status {
        case .default: return "default"
        case .range(let digit):
            return ["informational", "success", "redirection", "clientError", "serverError"][digit - 1]
        case .code(let code):
            return statusNames[code] ?? "status\(code)"
        }
    }

    static let statusNames: [Int: String] = [
        100: "continue", 101: "switchingProtocols", 200: "ok", 201: "created", 202: "accepted",
        203: "nonAuthoritativeInformation", 204: "noContent", 205: "resetContent", 206: "partialContent",
        207: "multiStatus", 300: "multipleChoices", 301: "movedPermanently", 302: "found", 303: "seeOther",
        304: "notModified", 307: "temporaryRedirect", 308: "permanentRedirect", 400: "badRequest", 401: "unauthorized",
        402: "paymentRequired", 403: "forbidden", 404: "notFound", 405: "methodNotAllowed", 406: "notAcceptable",
        407: "proxyAuthenticationRequired", 408: "requestTimeout", 409: "conflict", 410: "gone", 411: "lengthRequired",
        412: "preconditionFailed", 413: "contentTooLarge", 414: "uriTooLong", 415: "unsupportedMediaType",
        416: "rangeNotSatisfiable", 417: "expectationFailed", 421: "misdirectedRequest", 422: "unprocessableContent",
        423: "locked", 424: "failedDependency", 425: "tooEarly", 426: "upgradeRequired", 428: "preconditionRequired",
        429: "tooManyRequests", 431: "requestHeaderFieldsTooLarge", 451: "unavailableForLegalReasons",
        500: "internalServerError", 501: "notImplemented", 502: "badGateway", 503: "serviceUnavailable",
        504: "gatewayTimeout", 505: "httpVersionNotSupported", 507: "insufficientStorage",
    ]
}
