import Foundation
import Testing
@testable import OpenAPICodegen

/// Common authoring slips are warnings with the reading the author meant; only what cannot be
/// read is an error.
@Suite("Liberal in what it accepts")
struct LenientReadingTests {
    @Test("3.1 spellings in a 3.0 document are read as 3.1 reads them, each with a located warning")
    func thirtyOneSpellingsIn30() throws {
        let snippet = try Snippet("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                Thing:
                  type: [string, "null"]
                Fixed:
                  type: string
                  const: fixed
                  examples: [fixed]
            """)
        #expect(snippet.messages == [
            "7:13: warning: 'type' is a single type name in OpenAPI 3.0; a list of types is OpenAPI 3.1, read as 3.1 reads it",
            "7:22: warning: type 'null' is OpenAPI 3.1; in 3.0 write nullable: true (read as nullable)",
            "10:7: warning: 'const' is an OpenAPI 3.1 keyword, but this document declares OpenAPI 3.0; read as 3.1 reads it",
            "11:7: warning: 'examples' is an OpenAPI 3.1 keyword, but this document declares OpenAPI 3.0; read as 3.1 reads it",
        ])
        #expect(snippet.swift("Thing") == "public typealias Thing = String\n")
        #expect(snippet.swift("Fixed")?.contains("case fixed\n") == true)
    }

    @Test("3.0 spellings in a 3.1 document: boolean exclusive bounds and nullable are honoured, with warnings")
    func thirtySpellingsIn31() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                Reading:
                  type: object
                  properties:
                    level: {type: integer, minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false}
                    note: {type: string, nullable: true}
            """)
        #expect(snippet.messages == [
            "9:62: warning: 'exclusiveMinimum' is a number in OpenAPI 3.1; the boolean is the 3.0 spelling, read as 3.0 reads it",
            "9:99: warning: 'exclusiveMaximum' is a number in OpenAPI 3.1; the boolean is the 3.0 spelling, read as 3.0 reads it",
            "10:30: warning: 'nullable' is not part of OpenAPI 3.1; write type: [T, \"null\"] instead (honoured here)",
        ])
        let swift = try #require(snippet.swift("Reading"))
        #expect(swift.contains("validator.checkRange(value, minimum: 0, exclusiveMinimum: true, maximum: 10, at: \"level\")"))
        #expect(swift.contains("public var note: String?"))
    }

    @Test("integers written as floats are read as the integers they are")
    func floatsAsIntegers() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                Code: {type: string, maxLength: 5.0, minLength: 1.0}
                Holder:
                  type: object
                  properties:
                    code: {$ref: '#/components/schemas/Code'}
            """)
        #expect(snippet.messages == [
            "6:37: warning: 'maxLength' is an integer; '5.0' is read as 5",
            "6:53: warning: 'minLength' is an integer; '1.0' is read as 1",
        ])
        #expect(snippet.swift("Holder")?.contains("validator.checkLength(value, min: 1, max: 5, at: \"code\")") == true)
        #expect(snippetErrors("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components: {schemas: {Code: {type: string, maxLength: 5.5}}}
            """) == ["4:56: 'maxLength' must be a non-negative integer, found '5.5'"], "a fraction is no integer")
    }

    @Test("a response without its required description is read, with a warning")
    func missingResponseDescription() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths:
              /a:
                get:
                  operationId: getA
                  responses:
                    '204': {}
            """)
        #expect(snippet.messages == ["8:16: warning: response 204 has no 'description', which OpenAPI requires; read without one"])
        #expect(snippet.module.operations.first?.responses.map(\.swiftName) == ["noContent"])
    }

    @Test("what the generator does not honour is a located warning, never silence")
    func notHonouredIsWarned() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths:
              /a:
                servers: [{url: 'https://other.example.com'}]
                get:
                  operationId: getA
                  security: [{token: []}]
                  callbacks: {}
                  requestBody:
                    content:
                      multipart/form-data:
                        schema: {type: object, properties: {f: {type: string}}}
                        encoding: {f: {contentType: text/csv}}
                  responses:
                    '200':
                      description: ok
                      links: {}
                      content:
                        application/json:
                          schema: {$ref: '#/components/schemas/A'}
            components:
              schemas:
                A:
                  type: object
                  properties:
                    b: {$ref: '#/components/schemas/B', description: 'a description beside $ref'}
                    c: {not: {type: integer}}
                B: {type: string}
            """)
        #expect(snippet.messages == [
            "5:5: warning: 'servers' of a path item is not generated; the client sends every path to its one server URL",
            "8:19: warning: security requirement names 'token', which is not a generated scheme of components/securitySchemes; that alternative is dropped",
            "9:7: warning: callbacks are not generated",
            "14:13: warning: 'encoding' of media type 'multipart/form-data' is not applied; each part gets its default content type",
            "18:11: warning: links are not generated",
            "27:45: warning: 'description' beside '$ref' is not applied; the referenced schema is used as it is",
            "28:13: warning: 'not' in a schema is not supported and is ignored",
        ])
    }

    @Test("an operations, tags or paths filter that names nothing is an error where it is written")
    func unknownFilter() throws {
        let spec = """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths:
              /a:
                get:
                  operationId: getA
                  tags: [alpha]
                  responses: {'204': {description: none}}
              /b:
                get:
                  operationId: getB
                  responses: {'204': {description: none}}
            """
        let directory = try TestPaths.temporaryDirectory()
        let config = directory.appending(path: "openapi-codegen.yaml")
        try "operations: [getA, getC]\ntags: [alpha, beta]\npaths: ['/b', '/c']\n".write(to: config, atomically: true, encoding: .utf8)
        let options = try CodegenConfiguration.load(path: config.path).options
        #expect(snippetErrors(spec, options: options) == [
            "1:20: the configuration names operationId 'getC', which no operation in the spec has",
            "2:15: the configuration names tag 'beta', which no operation in the spec has",
            "3:15: the configuration names path '/c', which no operation in the spec has",
        ])
        var known = options
        known.filter = OperationFilter(tags: ["alpha"], paths: ["/b"])
        #expect(try Snippet(spec, options: known).module.operations.map(\.operationID) == ["getA", "getB"])
        known.filter = OperationFilter(tags: ["alpha"])
        #expect(try Snippet(spec, options: known).module.operations.map(\.operationID) == ["getA"])
    }

    @Test("a response offered in several media types is read as JSON, and Accept names only what is decoded")
    func severalResponseMediaTypes() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths:
              /a:
                get:
                  operationId: getA
                  parameters:
                    - {name: q, in: query, allowReserved: true, schema: {type: string}}
                  responses:
                    '200':
                      description: ok
                      content:
                        application/xml: {schema: {type: string}}
                        application/json: {schema: {type: integer}}
            """)
        #expect(snippet.messages == [
            "8:32: warning: 'allowReserved' of parameter 'q' is not applied: empty values are left out and reserved characters are percent-encoded",
            "11:11: warning: the response is read as application/json only; application/xml is not generated",
        ])
        #expect(snippet.client().contains(#"request.headers["Accept"] = "application/json""#))
    }

    @Test("a relative server URL, a style the place does not allow and parameter content are warnings; a remote $ref is an error")
    func placesAndReferences() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            servers: [{url: /v1}]
            paths:
              /a/{id}:
                get:
                  operationId: getA
                  parameters:
                    - {name: id, in: path, required: true, style: deepObject, schema: {type: string}}
                    - {name: filter, in: query, content: {application/json: {schema: {type: object}}}}
                  responses:
                    '204': {description: none}
            """)
        #expect(snippet.messages == [
            "3:17: warning: server URL '/v1' is relative; the client needs an absolute URL, so it is not generated",
            "9:55: warning: style 'deepObject' is not allowed for path parameter 'id'; it is sent as simple",
            "10:37: warning: parameter 'filter' uses 'content', which is not supported; it is sent as a string",
        ])
        #expect(snippet.client().contains(#"PathParameter.encode("id", id)"#))
        #expect(snippetErrors("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components: {schemas: {A: {$ref: 'https://example.com/a.yaml'}}}
            """) == ["4:34: remote reference 'https://example.com/a.yaml' is not supported: download the file and refer to it by path"])
    }
}
