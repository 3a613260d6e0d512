/// Renders the `Client` struct and the `Operations` namespaces.
struct ClientRenderer {
    let module: TranslatedModule
    let declarations: DeclarationRenderer

    private var access: String { declarations.access }

    func renderClient(into writer: inout CodeWriter) {
        writer.documentation("A typed client for \(module.sourceName): one method per operation.")
        writer.block("\(access)struct Client: Sendable") { body in
            body.documentation("The server URL, transport and middlewares every call goes through.")
            body.line("\(access)let core: ClientCore")
            body.line("")
            body.documentation("""
                Creates a client.
                - Parameters:
                  - serverURL: The base URL; operation paths are appended to it.
                  - transport: Sends the requests, for example over AsyncHTTPClient.
                  - middlewares: Run in order around every request (authentication, logging…).
                """)
            body.block("\(access)init(serverURL: URL, transport: any ClientTransport, middlewares: [any ClientMiddleware] = [])") { initializer in
                initializer.line("self.core = ClientCore(serverURL: serverURL, transport: transport, middlewares: middlewares)")
            }
            for operation in module.operations {
                body.line("")
                renderMethod(operation, into: &body)
            }
        }
    }

    private func renderMethod(_ operation: OperationDeclaration, into writer: inout CodeWriter) {
        var documentation = operation.documentation ?? ""
        documentation += (documentation.isEmpty ? "" : "\n\n") + "`\(operation.httpMethod) \(pathTemplate(operation))`"
        writer.documentation(documentation)
        writer.deprecation(operation.isDeprecated)
        var arguments: [String] = operation.parameters.map { parameter in
            let type = "\(parameter.type)" + (parameter.isRequired ? "" : "?")
            return "\(SwiftNaming.escaped(parameter.swiftName)): \(type)" + (parameter.isRequired ? "" : " = nil")
        }
        if let body = operation.body {
            arguments.append("body: \(body.type)" + (body.isRequired ? "" : "? = nil"))
        }
        let output = "Operations.\(operation.namespace).Output"
        writer.block("\(access)func \(SwiftNaming.escaped(operation.methodName))(\(arguments.joined(separator: ", "))) async throws(ClientError) -> \(output)") { body in
            body.line("let operationID = Operations.\(operation.namespace).id")
            let queryParameters = operation.parameters.filter { $0.location == .query }
            if !queryParameters.isEmpty {
                body.line("var query = QueryBuilder()")
                for parameter in queryParameters {
                    body.line("query.append(\(SwiftLiteral.string(parameter.wireName)), \(parameterValue(parameter))\(styleArguments(parameter)))")
                }
            }
            let path = pathExpression(operation) + (queryParameters.isEmpty ? "" : " + query.queryString")
            let standardMethods = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]
            let method = standardMethods.contains(operation.httpMethod)
                ? "." + operation.httpMethod.lowercased() : "HTTPMethod(rawValue: \(SwiftLiteral.string(operation.httpMethod)))"
            let setsHeadersOrBody = operation.body != nil || !operation.acceptedContentTypes.isEmpty
                || operation.parameters.contains { $0.location == .header || $0.location == .cookie }
            body.line("\(setsHeadersOrBody ? "var" : "let") request = HTTPRequest(method: \(method), path: \(path))")
            for parameter in operation.parameters where parameter.location == .header {
                let explode = parameter.shape == .object && parameter.explode ? ", explode: true" : ""
                body.line("request.headers.setParameter(\(SwiftLiteral.string(parameter.wireName)), \(parameterValue(parameter))\(explode))")
            }
            for parameter in operation.parameters where parameter.location == .cookie {
                body.line("request.headers.appendCookie(\(SwiftLiteral.string(parameter.wireName)), \(SwiftNaming.escaped(parameter.swiftName)))")
            }
            if !operation.acceptedContentTypes.isEmpty {
                body.line("request.headers[\"Accept\"] = \(SwiftLiteral.string(operation.acceptedContentTypes.joined(separator: ", ")))")
            }
            if let requestBody = operation.body {
                let value = declarations.isDateTime(requestBody.type) ? "DateTimeCoded(body)" : "body"
                let encode = requestBody.encoding == .json ? "try core.encodeJSON(\(value), operationID: operationID)" : "body"
                if requestBody.isRequired {
                    body.line("request.headers[\"Content-Type\"] = \(SwiftLiteral.string(requestBody.contentType))")
                    body.line("request.body = \(encode)")
                } else {
                    body.block("if let body") { optional in
                        optional.line("request.headers[\"Content-Type\"] = \(SwiftLiteral.string(requestBody.contentType))")
                        optional.line("request.body = \(encode)")
                    }
                }
            }
            body.line("let response = try await core.send(request, operationID: operationID)")
            body.line("return try \(output)(response, core: core)")
        }
    }

    private func pathTemplate(_ operation: OperationDeclaration) -> String {
        operation.path.map { part in
            switch part {
            case .literal(let text): text
            case .parameter(let name): "{\(operation.parameters.first { $0.swiftName == name }?.wireName ?? name)}"
            }
        }.joined()
    }

    private func pathExpression(_ operation: OperationDeclaration) -> String {
        let parts = operation.path.map { part -> String in
            switch part {
            case .literal(let text): return SwiftLiteral.string(text)
            case .parameter(let name):
                guard let parameter = operation.parameters.first(where: { $0.swiftName == name }) else { return SwiftLiteral.string("") }
                return "PathParameter.encode(\(SwiftLiteral.string(parameter.wireName)), \(parameterValue(parameter))\(styleArguments(parameter)))"
            }
        }
        return parts.isEmpty ? "\"/\"" : parts.joined(separator: " + ")
    }

    /// The argument, or for an object parameter its members read through the core.
    private func parameterValue(_ parameter: ParameterDeclaration) -> String {
        let name = SwiftNaming.escaped(parameter.swiftName)
        return parameter.shape == .object ? "try core.parameterObject(\(name), operationID: operationID)" : name
    }

    /// `, style: .x, explode: y`, leaving out what the runtime defaults to for that place.
    private func styleArguments(_ parameter: ParameterDeclaration) -> String {
        guard parameter.shape != .scalar || parameter.location == .path else { return "" }
        let defaultStyle: ParameterStyle = parameter.location == .path ? .simple : .form
        let defaultExplode = parameter.location == .path ? false : true
        var arguments = ""
        if parameter.style != defaultStyle { arguments += ", style: .\(parameter.style.rawValue)" }
        if parameter.shape != .scalar, parameter.explode != defaultExplode { arguments += ", explode: \(parameter.explode)" }
        return arguments
    }

    // MARK: Operations namespaces

    func renderOperationsNamespace(into writer: inout CodeWriter) {
        writer.documentation("Per-operation types: each operation's `Output` and its inline schemas.")
        writer.line("\(access)enum Operations {}")
        for operation in module.operations {
            writer.line("")
            writer.block("extension Operations") { body in
                body.documentation(operation.documentation.flatMap { $0.split(separator: "\n").first.map(String.init) } ?? "`\(operation.operationID)`")
                body.block("\(access)enum \(operation.namespace)") { namespace in
                    namespace.line("\(access)static let id = \(SwiftLiteral.string(operation.operationID))")
                    namespace.line("")
                    renderOutput(operation, into: &namespace)
                    for nested in operation.nestedTypes {
                        namespace.line("")
                        declarations.render(nested, into: &namespace)
                    }
                }
            }
        }
    }

    private func renderOutput(_ operation: OperationDeclaration, into writer: inout CodeWriter) {
        let hasDefault = operation.responses.contains { $0.status == .default }
        writer.documentation("Every documented response of `\(operation.operationID)`, by status code.")
        writer.block("\(access)enum Output: Sendable, Hashable") { body in
            for response in operation.responses {
                body.documentation(response.documentation)
                body.line("case \(SwiftNaming.escaped(response.swiftName))\(associatedValues(response))")
            }
            if !hasDefault {
                body.line("/// A status code the spec does not document.")
                body.line("case undocumented(statusCode: Int, body: Data?)")
            }
            body.line("")
            body.documentation("The HTTP status code of the response.")
            body.block("\(access)var statusCode: Int") { getter in
                getter.switchBlock("self") { cases in
                    for response in operation.responses {
                        let name = SwiftNaming.escaped(response.swiftName)
                        switch response.status {
                        case .code(let code): cases.line("case .\(name): \(code)")
                        case .range, .default: cases.line("case .\(name)(let statusCode, _): statusCode")
                        }
                    }
                    if !hasDefault { cases.line("case .undocumented(let statusCode, _): statusCode") }
                }
            }
            body.line("")
            body.block("init(_ response: HTTPResponse, core: ClientCore) throws(ClientError)") { initializer in
                if operation.responses.contains(where: { $0.body?.decoding == .json }) {
                    initializer.line("let operationID = Operations.\(operation.namespace).id")
                }
                initializer.switchBlock("response.statusCode") { cases in
                    for response in operation.responses where response.status != .default {
                        let pattern: String
                        switch response.status {
                        case .code(let code): pattern = String(code)
                        case .range(let digit): pattern = "\(digit * 100)...\(digit * 100 + 99)"
                        case .default: pattern = "_"
                        }
                        cases.line("case \(pattern): self = \(construction(response))")
                    }
                    if let fallback = operation.responses.first(where: { $0.status == .default }) {
                        cases.line("default: self = \(construction(fallback))")
                    } else {
                        cases.line("default: self = .undocumented(statusCode: response.statusCode, body: response.body)")
                    }
                }
            }
        }
    }

    private func associatedValues(_ response: ResponseCaseDeclaration) -> String {
        let body = response.body.map { "\($0.type)" }
        switch response.status {
        case .code: return body.map { "(\($0))" } ?? ""
        case .range, .default: return "(statusCode: Int" + (body.map { ", \($0)" } ?? ", body: Data?") + ")"
        }
    }

    private func construction(_ response: ResponseCaseDeclaration) -> String {
        let name = "." + SwiftNaming.escaped(response.swiftName)
        let value: String
        switch response.body {
        case (let type, .json)? where declarations.isDateTime(type):
            value = "try core.decodeJSON(DateTimeCoded<\(type)>.self, from: response, operationID: operationID).value"
        case (let type, .json)?: value = "try core.decodeJSON(\(type).self, from: response, operationID: operationID)"
        case (_, .text)?: value = "core.decodeText(from: response)"
        case (_, .raw)?: value = "response.body ?? Data()"
        case nil: value = "body: response.body"
        }
        switch response.status {
        case .code: return response.body == nil ? name : "\(name)(\(value))"
        case .range, .default: return "\(name)(statusCode: response.statusCode, \(value))"
        }
    }
}
