import Foundation
import Testing
@testable import OpenAPICodegen

/// The server side, a few lines of spec at a time: what `generate: [types, server]` renders.
@Suite("Server generation snippets")
struct ServerSnippetTests {
    static var server: TranslationOptions {
        var options = TranslationOptions()
        options.generate = [.types, .server]
        return options
    }

    static let spec = """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        security: [{token: []}]
        paths:
          /items:
            get:
              operationId: listItems
              security: []
              parameters:
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 50}}
                - {name: tags, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: string}}}
              responses:
                '200': {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}
                4XX: {description: refused, content: {text/plain: {schema: {type: string}}}}
            post:
              operationId: addItem
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {type: array, maxItems: 3, items: {type: string, maxLength: 5}}
              responses:
                '204': {description: added}
        components:
          securitySchemes:
            token: {type: http, scheme: bearer}
        """

    @Test("a parameter is held typed, with the spec's default, decoded in its style and checked against its schema")
    func parameters() throws {
        let server = try Snippet(Self.spec, options: Self.server).server()
        #expect(server.contains("public var limit: Int\n"))
        #expect(server.contains("init(limit: Int = 50, tags: [String]? = nil)"))
        #expect(server.contains(#"let limit: Int = try query.value("limit") ?? 50"#))
        #expect(server.contains(#"let tags: [String]? = try query.values("tags", style: .pipeDelimited, explode: false)"#))
        #expect(server.contains(#"validator.checkRange(limit, minimum: 1, maximum: 1000, at: "limit")"#))
        #expect(server.contains("if !validator.violations.isEmpty { throw .parameterViolations(validator.violations) }"))
    }

    @Test("a JSON body is decoded, checked with every violation kept, and its decoded value passed to the hook")
    func body() throws {
        let server = try Snippet(Self.spec, options: Self.server).server()
        #expect(server.contains(#"guard let data = try await core.bodyData(of: request, contentType: "application/json") else { throw .missingBody }"#))
        #expect(server.contains(#"validator.checkCount(value.count, min: nil, max: 3, at: "body")"#))
        #expect(server.contains("if let error = RequestError.bodyViolations(of: validator, body: value) { throw error }"))
    }

    @Test("outputs: codes as documented, a range case checked to be in its range, an undocumented status refused")
    func outputs() throws {
        let server = try Snippet(Self.spec, options: Self.server).server()
        #expect(server.contains(#"return try core.jsonResponse(200, body, contentType: "application/json")"#))
        #expect(server.contains(#"return core.textResponse(try core.status(statusCode, in: 400...499), body, contentType: "text/plain")"#))
        #expect(server.contains("return HTTPResponse(statusCode: 204)"))
        #expect(server.contains("case .undocumented(let statusCode, _): throw .undocumentedStatus(statusCode)"))
    }

    @Test("routing: each operation with its security, and each path's methods for 405, sorted")
    func routing() throws {
        let server = try Snippet(Self.spec, options: Self.server).server()
        #expect(server.contains(#"static let operation = ServerOperation(id: id, method: .get, path: "/items", security: [])"#))
        #expect(server.contains(#"static let operation = ServerOperation(id: id, method: .post, path: "/items", security: [["token"]])"#))
        #expect(server.contains(#"try transport.registerMethodNotAllowed(path: "/items", allowed: [.get, .post])"#))
        #expect(server.contains("func listItems(_ input: Operations.ListItems.Input) async throws -> Operations.ListItems.Output"))
    }

    @Test("object parameters and form bodies are decoded into their types and checked, with no warning")
    func objectParametersAndForms() throws {
        let spec = """
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /forms:
                post:
                  operationId: sendForm
                  parameters:
                    - {name: filter, in: query, style: deepObject, schema: {$ref: '#/components/schemas/Filter'}}
                    - {name: page, in: query, schema: {type: object, properties: {size: {type: integer}}}}
                    - {name: X-Caller, in: header, explode: true, schema: {type: object, properties: {tenant: {type: string}}}}
                  requestBody:
                    content:
                      multipart/form-data:
                        schema: {type: object, properties: {file: {type: string, format: binary}}}
                  responses:
                    '204': {description: sent}
              /signups:
                post:
                  operationId: signUp
                  requestBody:
                    required: true
                    content:
                      application/x-www-form-urlencoded:
                        schema: {type: object, required: [name], properties: {name: {type: string, minLength: 2}}}
                  responses:
                    '204': {description: sent}
            components:
              schemas:
                Filter: {type: object, properties: {minimum: {type: integer, minimum: 0}}}
            """
        let snippet = try Snippet(spec, options: Self.server)
        #expect(snippet.messages.isEmpty, "\(snippet.messages)")
        let server = try snippet.server()
        #expect(server.contains(#"let filter: Filter? = try query.object("filter", style: .deepObject)"#))
        #expect(server.contains(#"let page: Operations.SendForm.Page? = try query.object("page", excluding: ["filter"])"#))
        #expect(server.contains(#"let xCaller: Operations.SendForm.XCaller? = try request.headers.parameterObject("X-Caller", explode: true)"#))
        #expect(server.contains(#"validator.validate(value, at: "filter")"#))
        #expect(server.contains(#"let value = try core.decodeMultipart(Operations.SendForm.Body.self, from: data, contentType: request.headers["Content-Type"])"#))
        #expect(server.contains(#"let value = try core.decodeForm(Operations.SignUp.Body.self, from: data)"#))
        #expect(server.contains("public var body: Operations.SignUp.Body\n"))
    }

    @Test("generate: lists types, client and server; anything else is an error at its line")
    func generateOption() throws {
        #expect(try ConfigurationTests.options("generate: [types, server]\n").generate == [.types, .server])
        #expect(try ConfigurationTests.options("spec: x.yaml\n").generate == [.types, .client])
        for bad in ["generate: [server]\n", "generate: [types, servers]\n", "generate: server\n"] {
            #expect(throws: CodegenError.self, "\(bad)") { try ConfigurationTests.options(bad) }
        }
        let client = try Snippet(Self.spec, options: Self.server)
        #expect(Renderer().render(client.module).first { $0.name == FileLayout.clientFile }.map { !$0.contents.contains("struct Client") } == true)
    }
}
