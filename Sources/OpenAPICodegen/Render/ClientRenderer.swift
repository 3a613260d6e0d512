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
            if let first = module.servers.first {
                body.line("")
                body.documentation("Creates a client for the spec's first server, `\(first.template)`, with its variables' defaults.")
                body.block("\(access)init(transport: any ClientTransport, middlewares: [any ClientMiddleware] = []) throws(ServerURLError)") { initializer in
                    initializer.line("self.init(serverURL: try Servers.\(SwiftNaming.escaped(first.swiftName))(), transport: transport, middlewares: middlewares)")
                }
            }
            for operation in module.operations {
                body.line("")
                renderMethod(operation, into: &body)
            }
        }
    }

    /// `Servers`: one function per absolute server URL, its variables as arguments with their defaults.
    func renderServers(into writer: inout CodeWriter) {
        guard !module.servers.isEmpty else { return }
        writer.line("")
        writer.documentation("The servers the spec lists; the first is ``Client/init(transport:middlewares:)``'s.")
        writer.block("\(access)enum Servers") { body in
            for (index, server) in module.servers.enumerated() {
                if index > 0 { body.line("") }
                var documentation = [server.documentation, "`\(server.template)`"].compactMap { $0 }.joined(separator: "\n\n")
                for variable in server.variables {
                    documentation += "\n- \(variable.swiftName): \(variable.documentation ?? variable.wireName)"
                        + (variable.allowed.map { " (one of \($0.joined(separator: ", ")))" } ?? "")
                }
                body.documentation(documentation)
                let arguments = server.variables.map { "\(SwiftNaming.escaped($0.swiftName)): String = \(SwiftLiteral.string($0.defaultValue))" }
                body.block("\(access)static func \(SwiftNaming.escaped(server.swiftName))(\(arguments.joined(separator: ", "))) throws(ServerURLError) -> URL") { function in
                    let variables = server.variables.map { variable in
                        "(\(SwiftLiteral.string(variable.wireName)), \(SwiftNaming.escaped(variable.swiftName)), "
                            + (variable.allowed.map { "[" + $0.map(SwiftLiteral.string).joined(separator: ", ") + "]" } ?? "nil") + ")"
                    }
                    function.line("try ServerURL.resolve(\(SwiftLiteral.string(server.template))" + (variables.isEmpty ? ")" : ", [\(variables.joined(separator: ", "))])"))
                }
            }
        }
    }

    /// `SecuritySchemes`: for each scheme, a factory of the middleware that sends its credential
    /// the way the spec says (header name, query or cookie), applied only where operations need it.
    func renderSecuritySchemes(into writer: inout CodeWriter) {
        guard !module.securitySchemes.isEmpty else { return }
        writer.line("")
        writer.documentation("The spec's security schemes, each as the client middleware that sends its credential.")
        writer.block("\(access)enum SecuritySchemes") { body in
            var names = NameAllocator.members()
            for (index, scheme) in module.securitySchemes.enumerated() {
                if index > 0 { body.line("") }
                let name = SwiftNaming.escaped(names.allocate(SwiftNaming.memberName(scheme.name)))
                let literal = SwiftLiteral.string(scheme.name)
                switch scheme.kind {
                case .bearer:
                    body.documentation([scheme.description, "`\(scheme.name)`: a bearer token in `Authorization`."].compactMap { $0 }.joined(separator: "\n\n"))
                    body.block("\(access)static func \(name)(_ provider: any TokenProvider) -> BearerTokenMiddleware") { function in
                        function.line("BearerTokenMiddleware(scheme: \(literal), provider: provider)")
                    }
                case .basic:
                    body.documentation([scheme.description, "`\(scheme.name)`: HTTP basic authentication."].compactMap { $0 }.joined(separator: "\n\n"))
                    body.block("\(access)static func \(name)(username: String, password: String) -> BasicAuthenticationMiddleware") { function in
                        function.line("BasicAuthenticationMiddleware(scheme: \(literal), username: username, password: password)")
                    }
                case .apiKey(let keyName, let location):
                    body.documentation([scheme.description, "`\(scheme.name)`: an API key in the \(location.rawValue) `\(keyName)`."].compactMap { $0 }.joined(separator: "\n\n"))
                    body.block("\(access)static func \(name)(_ provider: any TokenProvider) -> APIKeyMiddleware") { function in
                        function.line("APIKeyMiddleware(scheme: \(literal), name: \(SwiftLiteral.string(keyName)), location: .\(location.rawValue), provider: provider)")
                    }
                }
            }
        }
    }

    private func renderMethod(_ operation: OperationDeclaration, into writer: inout CodeWriter) {
        var documentation = operation.documentation ?? ""
        documentation += (documentation.isEmpty ? "" : "\n\n") + "`\(operation.httpMethod) \(Self.pathTemplate(operation))`"
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
            let method = Self.methodExpression(operation.httpMethod)
            let setsHeadersOrBody = operation.body != nil || !operation.acceptedContentTypes.isEmpty
                || operation.parameters.contains { $0.location == .header || $0.location == .cookie }
            let security = Self.securityLiteral(operation).map { ", security: " + $0 } ?? ""
            let streams = operation.responses.contains { $0.body?.decoding.isStreamed == true } ? ", streamsResponse: true" : ""
            body.line("\(setsHeadersOrBody ? "var" : "let") request = HTTPRequest(method: \(method), path: \(path)\(security)\(streams))")
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
                if requestBody.isRequired {
                    renderBody(requestBody, into: &body)
                } else {
                    body.block("if let body") { optional in renderBody(requestBody, into: &optional) }
                }
            }
            if let streamed = streamCondition(operation) {
                // Only the streamed responses are read as they arrive; any other status gets its whole body first.
                body.line("let received = try await core.send(request, operationID: operationID)")
                body.line("let response = \(streamed) ? received : try await core.collectingBody(of: received, operationID: operationID)")
            } else {
                body.line("let response = try await core.send(request, operationID: operationID)")
            }
            body.line("return try \(output)(response, core: core)")
        }
    }

    /// Sets `Content-Type` and the encoded body; `body` is the (unwrapped) argument.
    private func renderBody(_ requestBody: RequestBodyDeclaration, into writer: inout CodeWriter) {
        let contentType = SwiftLiteral.string(requestBody.contentType)
        switch requestBody.encoding {
        case .json:
            let value = declarations.isDateTime(requestBody.type) ? "DateTimeCoded(body)" : "body"
            writer.line("request.headers[\"Content-Type\"] = \(contentType)")
            writer.line("request.body = try core.encodeJSON(\(value), operationID: operationID)")
        case .text:
            writer.line("request.headers[\"Content-Type\"] = \(contentType)")
            writer.line("request.body = Data(body.utf8)")
        case .raw:
            writer.line("request.headers[\"Content-Type\"] = \(contentType)")
            writer.line("request.body = body")
        case .formURLEncoded:
            writer.line("request.headers[\"Content-Type\"] = \(contentType)")
            writer.line("request.body = try core.encodeForm(body, operationID: operationID)")
        case .multipart:
            // The boundary is chosen per request and carried by the Content-Type header.
            writer.block("let form = try core.encodeMultipart(operationID: operationID)", closureParameters: "form") { parts in
                renderParts(of: requestBody.type, into: &parts)
            }
            writer.line("request.headers[\"Content-Type\"] = form.contentType")
            writer.line("request.body = form.body")
        }
    }

    /// One part per member: text for scalars (and each element of scalar arrays), bytes for
    /// `Data`, JSON for the rest. Members the spec does not name go as JSON parts too.
    private func renderParts(of type: TypeUsage, into writer: inout CodeWriter) {
        guard case .named(let name) = declarations.resolved(type), let structure = declarations.structures[name] else {
            writer.line("for (name, value) in try ParameterObject(body).members { try form.appendJSON(name, value) }")
            return
        }
        for property in structure.properties {
            let wire = SwiftLiteral.string(property.wireName)
            let value = "body." + SwiftNaming.escaped(property.swiftName)
            switch declarations.resolved(property.type) {
            case .builtin(.data): writer.line("form.append(\(wire), \(value))")
            case let scalar where declarations.isParameterScalar(scalar): writer.line("form.append(\(wire), \(value))")
            case .array(let element) where declarations.isParameterScalar(element): writer.line("form.append(\(wire), \(value))")
            default: writer.line("try form.appendJSON(\(wire), \(value))")
            }
        }
        if structure.additionalProperties != nil {
            writer.line("for (name, value) in body.additionalProperties.sorted(by: { $0.key < $1.key }) { try form.appendJSON(name, value) }")
        }
    }

    /// `.get`, or `HTTPMethod(rawValue: "QUERY")` for a method the runtime does not name.
    static func methodExpression(_ method: String) -> String {
        let standardMethods = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]
        return standardMethods.contains(method) ? "." + method.lowercased() : "HTTPMethod(rawValue: \(SwiftLiteral.string(method)))"
    }

    /// `[["bearerAuth"]]`: the operation's security requirements as a Swift literal, or nil when the spec says nothing.
    static func securityLiteral(_ operation: OperationDeclaration) -> String? {
        operation.security.map { alternatives in
            "[" + alternatives.map { "[" + $0.map(SwiftLiteral.string).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        }
    }

    /// The path as the spec writes it: `/items/{id}`.
    static func pathTemplate(_ operation: OperationDeclaration) -> String {
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
                    for response in operation.responses {
                        guard let headers = response.headers else { continue }
                        namespace.line("")
                        renderHeaders(headers, into: &namespace)
                    }
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
                        case .range, .default:
                            cases.line("case .\(name)(let statusCode, _\(response.headers == nil ? "" : ", _")): statusCode")
                        }
                    }
                    if !hasDefault { cases.line("case .undocumented(let statusCode, _): statusCode") }
                }
            }
            guard module.generate.contains(.client) else { return }
            body.line("")
            body.block("init(_ response: HTTPResponse, core: ClientCore) throws(ClientError)") { initializer in
                if operation.responses.contains(where: { [.json, .serverSentEvents, .jsonLines].contains($0.body?.decoding) || $0.headers != nil }) {
                    initializer.line("let operationID = Operations.\(operation.namespace).id")
                }
                initializer.switchBlock("response.statusCode") { cases in
                    for response in operation.responses where response.status != .default {
                        let pattern: String
                        switch response.status {
                        case .code(let code): pattern = String(code)
                        case .range(let digit): pattern = Self.statusRange(digit)
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
        var values: [String] = []
        if response.status.isCode {
            if let body = response.body { values.append(bodyType(body)) }
        } else {
            values.append("statusCode: Int")
            values.append(response.body.map(bodyType) ?? "body: Data?")
        }
        if let headers = response.headers { values.append("headers: \(headers.typeName)") }
        return values.isEmpty ? "" : "(" + values.joined(separator: ", ") + ")"
    }

    /// When the received response is one of the streamed ones, as a Swift condition; nil when
    /// the operation streams nothing.
    private func streamCondition(_ operation: OperationDeclaration) -> String? {
        let streamed = operation.responses.filter { $0.body?.decoding.isStreamed == true }
        guard !streamed.isEmpty else { return nil }
        func matches(_ statuses: [ResponseStatus]) -> String {
            let tests = statuses.compactMap { status -> String? in
                switch status {
                case .code(let code): "received.statusCode == \(code)"
                case .range(let digit): "(\(Self.statusRange(digit))).contains(received.statusCode)"
                case .default: nil
                }
            }
            return tests.isEmpty ? "false" : tests.joined(separator: " || ")
        }
        if streamed.contains(where: { $0.status == .default }) {
            return "!(" + matches(operation.responses.filter { $0.body?.decoding.isStreamed != true }.map(\.status)) + ")"
        }
        return matches(streamed.map(\.status))
    }

    /// `400...499` for `4XX`.
    static func statusRange(_ digit: Int) -> String { "\(digit * 100)...\(digit * 100 + 99)" }

    /// The Swift type of a response body: the schema's type, or a stream of it.
    func bodyType(_ body: (type: TypeUsage, decoding: ResponseBodyDecoding)) -> String {
        switch body.decoding {
        case .serverSentEvents, .serverSentEventsText: "ServerSentEvents<\(body.type)>"
        case .jsonLines: "JSONLines<\(body.type)>"
        case .json, .text, .raw: "\(body.type)"
        }
    }

    /// A struct of the response's typed headers, read from the response.
    private func renderHeaders(_ headers: (typeName: TypeName, members: [HeaderDeclaration]), into writer: inout CodeWriter) {
        let name = headers.typeName.name
        writer.documentation("The response's documented headers.")
        writer.block("\(access)struct \(name): Sendable, Hashable") { body in
            for member in headers.members {
                body.documentation(member.documentation ?? "`\(member.wireName)`")
                body.line("\(access)var \(SwiftNaming.escaped(member.swiftName)): \(member.type)\(member.isRequired ? "" : "?")")
            }
            body.line("")
            let arguments = headers.members.map { "\(SwiftNaming.escaped($0.swiftName)): \($0.type)" + ($0.isRequired ? "" : "? = nil") }
            body.block("\(access)init(\(arguments.joined(separator: ", ")))") { initializer in
                for member in headers.members { initializer.line("self.\(SwiftNaming.escaped(member.swiftName)) = \(SwiftNaming.escaped(member.swiftName))") }
            }
            guard module.generate.contains(.client) else { return }
            body.line("")
            body.block("init(_ response: HTTPResponse, operationID: String) throws(ClientError)") { initializer in
                for member in headers.members {
                    let read = member.isRequired ? "requiredHeader" : "header"
                    initializer.line("self.\(SwiftNaming.escaped(member.swiftName)) = try response.\(read)(\(SwiftLiteral.string(member.wireName)), operationID: operationID)")
                }
            }
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
        case (let type, .serverSentEvents)?: value = "core.serverSentEvents(\(type).self, from: response, operationID: operationID)"
        case (_, .serverSentEventsText)?: value = "core.serverSentEvents(from: response)"
        case (let type, .jsonLines)?: value = "core.jsonLines(\(type).self, from: response, operationID: operationID)"
        case (_, .raw)?: value = "response.body ?? Data()"
        case nil: value = "body: response.body"
        }
        let headers = response.headers.map { "headers: try \($0.typeName)(response, operationID: operationID)" }
        switch response.status {
        case .code:
            let values = [response.body == nil ? nil : value, headers].compactMap { $0 }
            return values.isEmpty ? name : "\(name)(\(values.joined(separator: ", ")))"
        case .range, .default: return "\(name)(statusCode: response.statusCode, \(value)" + (headers.map { ", \($0)" } ?? "") + ")"
        }
    }
}
