/// Renders the server side: `APIProtocol`, `registerHandlers(on:)`, each operation's
/// `Input` (decoded and checked from a request) and `Output.response(core:)`.
struct ServerRenderer {
    let module: TranslatedModule
    let declarations: DeclarationRenderer

    private var access: String { declarations.access }

    func render(into writer: inout CodeWriter) {
        renderProtocol(into: &writer)
        writer.line("")
        renderRegistration(into: &writer)
        for operation in module.operations {
            writer.line("")
            writer.block("extension Operations.\(operation.namespace)") { namespace in
                namespace.documentation("`\(operation.httpMethod) \(ClientRenderer.pathTemplate(operation))`, as a server transport routes it.")
                let security = ClientRenderer.securityLiteral(operation) ?? "nil"
                namespace.line("\(access)static let operation = ServerOperation(id: id, method: \(ClientRenderer.methodExpression(operation.httpMethod)), path: \(SwiftLiteral.string(ClientRenderer.pathTemplate(operation))), security: \(security))")
                namespace.line("")
                renderInput(operation, into: &namespace)
            }
            writer.line("")
            renderResponse(operation, into: &writer)
        }
    }

    // MARK: Protocol and registration

    private func renderProtocol(into writer: inout CodeWriter) {
        writer.documentation("""
            The operations of \(module.sourceName) as a server implements them: each takes its request \
            decoded and checked against the spec, and returns one of the responses the spec documents.
            """)
        writer.block("\(access)protocol APIProtocol: Sendable") { body in
            for (index, operation) in module.operations.enumerated() {
                if index > 0 { body.line("") }
                var documentation = operation.documentation ?? ""
                documentation += (documentation.isEmpty ? "" : "\n\n") + "`\(operation.httpMethod) \(ClientRenderer.pathTemplate(operation))`"
                body.documentation(documentation)
                body.deprecation(operation.isDeprecated)
                let namespace = "Operations.\(operation.namespace)"
                body.line("func \(SwiftNaming.escaped(operation.methodName))(_ input: \(namespace).Input) async throws -> \(namespace).Output")
            }
        }
    }

    private func renderRegistration(into writer: inout CodeWriter) {
        writer.block("extension APIProtocol") { body in
            body.documentation("""
                Routes every operation of \(module.sourceName) to this implementation, and answers the \
                methods a path does not serve with 405 and `Allow`.
                - Parameters:
                  - transport: The HTTP server, for example a Hummingbird router through `OpenAPICodegenHummingbird`.
                  - middlewares: Run in order around every handler; they see the operation and its security requirements.
                  - errorResponder: Answers requests that break the spec, handlers that throw and outputs that cannot be sent.
                """)
            let signature = "\(access)func registerHandlers(on transport: any ServerTransport, middlewares: [any ServerMiddleware] = [], "
                + "errorResponder: @escaping ServerErrorResponder = ServerError.plainTextResponse) throws"
            body.block(signature) { function in
                function.line("let core = ServerCore(middlewares: middlewares, errorResponder: errorResponder)")
                for operation in module.operations {
                    let namespace = "Operations.\(operation.namespace)"
                    function.block("try transport.register(\(namespace).operation)", closureParameters: "request") { handler in
                        handler.block("await core.respond(to: request, for: \(namespace).operation)", closureParameters: "request") { respond in
                            respond.line("try await self.\(SwiftNaming.escaped(operation.methodName))(\(namespace).Input(request, core: core)).response(core: core)")
                        }
                    }
                }
                var methodsByPath: [(path: String, methods: [String])] = []
                for operation in module.operations {
                    let path = ClientRenderer.pathTemplate(operation)
                    let method = ClientRenderer.methodExpression(operation.httpMethod)
                    if let index = methodsByPath.firstIndex(where: { $0.path == path }) {
                        methodsByPath[index].methods.append(method)
                    } else {
                        methodsByPath.append((path, [method]))
                    }
                }
                for (path, methods) in methodsByPath {
                    function.line("try transport.registerMethodNotAllowed(path: \(SwiftLiteral.string(path)), allowed: [\(methods.sorted().joined(separator: ", "))])")
                }
            }
        }
    }

    // MARK: Input

    /// The Swift type a parameter has in `Input`: optional unless required or defaulted.
    private func inputType(_ parameter: ParameterDeclaration) -> String {
        "\(parameter.type)" + (parameter.isRequired || parameter.defaultValue != nil ? "" : "?")
    }

    private func bodyInputType(_ body: RequestBodyDeclaration) -> String {
        switch body.encoding {
        case .json, .text, .formURLEncoded, .multipart: "\(body.type)" + (body.isRequired ? "" : "?")
        // Bytes stream to the handler as they arrive, so an upload is never held whole.
        case .raw: "ServerRequestBody"
        }
    }

    private func renderInput(_ operation: OperationDeclaration, into writer: inout CodeWriter) {
        let parameters = operation.parameters
        writer.documentation("The request of `\(operation.operationID)`, decoded and checked against the spec.")
        writer.block("\(access)struct Input: Sendable") { body in
            for parameter in parameters {
                body.documentation(parameter.documentation ?? "The \(parameter.location.rawValue) parameter `\(parameter.wireName)`.")
                body.line("\(access)var \(SwiftNaming.escaped(parameter.swiftName)): \(inputType(parameter))")
            }
            if let requestBody = operation.body {
                body.documentation("The request body (`\(requestBody.contentType)`).")
                body.line("\(access)var body: \(bodyInputType(requestBody))")
            }
            body.line("")
            var arguments = parameters.map { parameter in
                let defaultValue = parameter.defaultValue.map { " = \(SwiftLiteral.constant($0))" } ?? (parameter.isRequired ? "" : " = nil")
                return "\(SwiftNaming.escaped(parameter.swiftName)): \(inputType(parameter))\(defaultValue)"
            }
            if let requestBody = operation.body {
                let type = bodyInputType(requestBody)
                arguments.append("body: \(type)" + (type.hasSuffix("?") ? " = nil" : ""))
            }
            body.documentation("Creates an input, as a test of a handler would.")
            body.block("\(access)init(\(arguments.joined(separator: ", ")))") { initializer in
                for parameter in parameters {
                    let name = SwiftNaming.escaped(parameter.swiftName)
                    initializer.line("self.\(name) = \(name)")
                }
                if operation.body != nil { initializer.line("self.body = body") }
            }
            body.line("")
            body.documentation("Reads `request` as the spec describes it; what breaks the spec throws the ``RequestError`` naming it.")
            body.block("init(_ request: ServerRequest, core: ServerCore) async throws(RequestError)") { initializer in
                renderParameterDecoding(parameters, operation: operation, into: &initializer)
                switch operation.body?.encoding {
                case .raw?: initializer.line("self.body = request.body")
                case .some: initializer.line("self.body = try await Self.body(of: request, core: core)")
                case nil: break
                }
            }
            if let requestBody = operation.body, requestBody.encoding != .raw {
                body.line("")
                renderBodyDecoding(requestBody, into: &body)
            }
        }
    }

    private func renderParameterDecoding(_ parameters: [ParameterDeclaration], operation: OperationDeclaration, into writer: inout CodeWriter) {
        if parameters.contains(where: { $0.location == .query }) {
            writer.line("let query = QueryParameters(request.query)")
        }
        if parameters.contains(where: { $0.location == .path }) {
            writer.line("let path = try PathParameters(request.path, template: \(SwiftLiteral.string(ClientRenderer.pathTemplate(operation))))")
        }
        for parameter in parameters {
            writer.line("let \(SwiftNaming.escaped(parameter.swiftName)): \(inputType(parameter)) = \(read(parameter, in: operation))")
        }
        let checked = parameters.filter { !$0.checks.isEmpty }
        if !checked.isEmpty {
            writer.line("var validator = Validator()")
            for parameter in checked {
                let isOptional = !parameter.isRequired && parameter.defaultValue == nil
                declarations.renderChecks(
                    parameter.checks, on: SwiftNaming.escaped(parameter.swiftName), type: parameter.type, isOptional: isOptional,
                    wireName: parameter.wireName, into: &writer)
            }
            writer.line("if !validator.violations.isEmpty { throw .parameterViolations(validator.violations) }")
        }
        for parameter in parameters {
            let name = SwiftNaming.escaped(parameter.swiftName)
            writer.line("self.\(name) = \(name)")
        }
    }

    /// The expression reading one parameter, with its default or its requirement.
    private func read(_ parameter: ParameterDeclaration, in operation: OperationDeclaration) -> String {
        let wire = SwiftLiteral.string(parameter.wireName)
        let function = switch parameter.shape {
        case .scalar: "value"
        case .array: "values"
        case .object: "object"
        }
        let expression: String
        switch parameter.location {
        case .query:
            var arguments = parameter.shape == .scalar ? "" : styleArguments(parameter, defaultStyle: .form, defaultExplode: true)
            if parameter.shape == .object, parameter.style == .form, parameter.explode {
                // An exploded object's members are items of their own, told apart from the other parameters by name.
                let others = operation.parameters.filter { $0.location == .query && $0.wireName != parameter.wireName }
                if !others.isEmpty { arguments += ", excluding: [" + others.map { SwiftLiteral.string($0.wireName) }.joined(separator: ", ") + "]" }
            }
            expression = "query.\(function)(\(wire)\(arguments))"
        case .path:
            // A path parameter is always required: the route matched it.
            let arguments = styleArguments(parameter, defaultStyle: .simple, defaultExplode: false)
            return "try path.\(function)(\(wire)\(arguments))"
        case .header where parameter.shape == .object:
            expression = "request.headers.parameterObject(\(wire)\(parameter.explode ? ", explode: true" : ""))"
        case .header:
            expression = "request.headers.parameter(\(wire))"
        case .cookie:
            expression = "request.headers.\(parameter.shape == .array ? "cookies" : "cookie")(\(wire))"
        }
        if let defaultValue = parameter.defaultValue { return "try \(expression) ?? \(SwiftLiteral.constant(defaultValue))" }
        if parameter.isRequired { return "try requiredParameter(\(expression), \(wire), in: .\(parameter.location.rawValue))" }
        return "try \(expression)"
    }

    private func styleArguments(_ parameter: ParameterDeclaration, defaultStyle: ParameterStyle, defaultExplode: Bool) -> String {
        var arguments = ""
        if parameter.style != defaultStyle { arguments += ", style: .\(parameter.style.rawValue)" }
        if parameter.shape != .scalar, parameter.explode != defaultExplode { arguments += ", explode: \(parameter.explode)" }
        return arguments
    }

    private func renderBodyDecoding(_ requestBody: RequestBodyDeclaration, into writer: inout CodeWriter) {
        let type = bodyInputType(requestBody)
        writer.block("private static func body(of request: ServerRequest, core: ServerCore) async throws(RequestError) -> \(type)") { body in
            let contentType = SwiftLiteral.string(requestBody.contentType)
            let missing = requestBody.isRequired ? "throw .missingBody" : "return nil"
            body.line("guard let data = try await core.bodyData(of: request, contentType: \(contentType)) else { \(missing) }")
            switch requestBody.encoding {
            case .text, .raw:
                body.line("return String(decoding: data, as: UTF8.self)")
                return
            case .json where declarations.isDateTime(requestBody.type):
                body.line("let value = try core.decodeJSON(DateTimeCoded<\(requestBody.type)>.self, from: data).value")
            case .json:
                body.line("let value = try core.decodeJSON(\(requestBody.type).self, from: data)")
            case .formURLEncoded:
                body.line("let value = try core.decodeForm(\(requestBody.type).self, from: data)")
            case .multipart:
                body.line("let value = try core.decodeMultipart(\(requestBody.type).self, from: data, contentType: request.headers[\"Content-Type\"])")
            }
            if !requestBody.checks.isEmpty {
                body.line("var validator = Validator()")
                declarations.renderChecks(requestBody.checks, on: "value", type: requestBody.type, isOptional: false, wireName: "body", into: &body)
                body.line("if let error = RequestError.bodyViolations(of: validator, body: value) { throw error }")
            }
            body.line("return value")
        }
    }

    // MARK: Output

    private func renderResponse(_ operation: OperationDeclaration, into writer: inout CodeWriter) {
        writer.block("extension Operations.\(operation.namespace).Output") { body in
            body.documentation("The response this output is sent as: its status, headers and body as the spec documents them.")
            body.block("func response(core: ServerCore) throws(ResponseError) -> HTTPResponse") { function in
                function.switchBlock("self") { cases in
                    for response in operation.responses {
                        renderResponseCase(response, into: &cases)
                    }
                    if !operation.responses.contains(where: { $0.status == .default }) {
                        cases.line("case .undocumented(let statusCode, _): throw .undocumentedStatus(statusCode)")
                    }
                }
            }
        }
    }

    private func renderResponseCase(_ response: ResponseCaseDeclaration, into writer: inout CodeWriter) {
        var bindings: [String] = []
        let status: String
        switch response.status {
        case .code(let code):
            status = String(code)
        case .range(let digit):
            bindings.append("let statusCode")
            status = "try core.status(statusCode, in: \(ClientRenderer.statusRange(digit)))"
        case .default:
            bindings.append("let statusCode")
            status = "statusCode"
        }
        // Range and default cases always carry a body (`Data?` when the spec documents none).
        if response.body != nil || !response.status.isCode { bindings.append("let body") }
        if response.headers != nil { bindings.append("let headers") }
        let pattern = "case .\(SwiftNaming.escaped(response.swiftName))" + (bindings.isEmpty ? "" : "(" + bindings.joined(separator: ", ") + ")")
        writer.line(pattern + ":")
        writer.indented { body in
            let headers: String
            if let members = response.headers?.members {
                body.line("var fields = HTTPHeaders()")
                for member in members {
                    body.line("fields.setParameter(\(SwiftLiteral.string(member.wireName)), headers.\(SwiftNaming.escaped(member.swiftName)))")
                }
                headers = ", headers: fields"
            } else {
                headers = ""
            }
            let contentType = SwiftLiteral.string(response.contentType ?? "application/octet-stream")
            switch response.body?.decoding {
            case .json?:
                let value = response.body.map { declarations.isDateTime($0.type) } == true ? "DateTimeCoded(body)" : "body"
                body.line("return try core.jsonResponse(\(status), \(value), contentType: \(contentType)\(headers))")
            case .text?:
                body.line("return core.textResponse(\(status), body, contentType: \(contentType)\(headers))")
            case .raw?:
                body.line("return core.dataResponse(\(status), body, contentType: \(contentType)\(headers))")
            case .serverSentEvents?, .serverSentEventsText?, .jsonLines?:
                body.line("return core.streamResponse(\(status), body.body, contentType: \(contentType)\(headers))")
            case nil where response.status.isCode:
                body.line("return HTTPResponse(statusCode: \(status)\(headers))")
            case nil:
                body.line("return HTTPResponse(statusCode: \(status)\(headers), body: body)")
            }
        }
    }
}
