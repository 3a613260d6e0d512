import Foundation
import Testing
@testable import OpenAPICodegen

/// A few lines of spec in, the exact Swift out: one test per row of the README's support
/// table (the behaviour of the same code is tested by GeneratedCodeTests' round trips).
@Suite("Snippets: spec in, Swift out")
struct SnippetTests {
    static func schemas(_ yaml: String) -> String {
        """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths: {}
        components:
          schemas:
        \(yaml.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    @Test("an enum of mixed kinds is an open enum over JSONValue")
    func mixedEnum() throws {
        let snippet = try Snippet(Self.schemas("Size:\n  enum: [1, \"large\"]"))
        #expect(snippet.swift("Size") == """
            public enum Size: OpenEnum {
                case _1
                case large
                /// A value this version of the spec does not list.
                case unknown(JSONValue)

                public init(rawValue: JSONValue) {
                    switch rawValue {
                    case .int(1): self = ._1
                    case .string("large"): self = .large
                    default: self = .unknown(rawValue)
                    }
                }

                public var rawValue: JSONValue {
                    switch self {
                    case ._1: .int(1)
                    case .large: .string("large")
                    case .unknown(let rawValue): rawValue
                    }
                }

                public var isKnown: Bool {
                    if case .unknown = self { false } else { true }
                }
            }

            """)
    }

    @Test("required, optional, nullable, default and date-time members; constraints become checks")
    func objectMembers() throws {
        let swift = try #require(try Snippet(Self.schemas("""
            Pet:
              type: object
              required: [name]
              properties:
                name: {type: string, maxLength: 20}
                kind: {type: string, enum: [cat, dog], default: cat}
                born: {type: [string, "null"], format: date-time}
            """)).swift("Pet"))
        #expect(swift.hasPrefix("""
            public struct Pet: Codable, Hashable, Sendable, Validatable {
                public var name: String
                public var kind: Pet.Kind
                public var born: Date?

                /// Creates a value from its members.
                public init(name: String, kind: Pet.Kind = .cat, born: Date? = nil) {
            """))
        #expect(swift.contains("""
                public static func == (lhs: Self, rhs: Self) -> Bool {
                    guard OpenAPICodegenRuntime.membersEqual(lhs.name, rhs.name) else { return false }
                    guard OpenAPICodegenRuntime.membersEqual(lhs.kind, rhs.kind) else { return false }
                    guard OpenAPICodegenRuntime.membersEqual(lhs.born, rhs.born) else { return false }
                    return true
                }
            """))
        #expect(swift.contains("""
                    self.kind = try container.decodeValueIfPresent(forKey: "kind") ?? .cat
                    self.born = try container.decodeDateTimeIfPresent(forKey: "born")
            """))
        #expect(swift.contains("""
                public func collectViolations(into validator: inout Validator) {
                    validator.checkLength(self.name, min: nil, max: 20, at: "name")
                    validator.validate(self.kind, at: "kind")
                }
            """))
    }

    @Test("anyOf without a discriminator is a struct of one optional value per variant")
    func anyOfStruct() throws {
        let swift = try #require(try Snippet(Self.schemas("""
            Either:
              anyOf:
                - {type: string}
                - {type: integer}
            """)).swift("Either"))
        #expect(swift.hasPrefix("""
            public struct Either: Codable, Hashable, Sendable, Validatable {
                /// The value read as `String`, when the JSON matches that variant.
                public var string: String?
                /// The value read as `Int`, when the JSON matches that variant.
                public var int: Int?
            """))
        #expect(swift.contains("""
                    do { self.string = try String(from: decoder) } catch { failures.append("\\(error)") }
                    do { self.int = try Int(from: decoder) } catch { failures.append("\\(error)") }
            """))
    }

    @Test("oneOf with an inline variant nests its type in the union")
    func inlineOneOfVariant() throws {
        let swift = try #require(try Snippet(Self.schemas("""
            Shape:
              oneOf:
                - {type: object, required: [side], properties: {side: {type: number}}}
                - {type: string}
            """)).swift("Shape"))
        #expect(swift.hasPrefix("public enum Shape: Codable, Hashable, Sendable, Validatable {\n    case variant1(Shape.Variant1)\n    case string(String)\n"))
        #expect(swift.contains("    public struct Variant1: Codable, Hashable, Sendable, Validatable {\n        public var side: Double\n"))
    }

    @Test("additionalProperties: false refuses unnamed members; a typed one checks every value")
    func additionalProperties() throws {
        let snippet = try Snippet(Self.schemas("""
            Closed: {type: object, properties: {a: {type: string}}, additionalProperties: false}
            Limited: {type: object, properties: {a: {type: string}}, additionalProperties: {type: string, maxLength: 5}}
            """))
        #expect(snippet.swift("Closed")?.contains("""
                    let container = try decoder.container(keyedBy: DynamicCodingKey.self)
                    self.a = try container.decodeValueIfPresent(forKey: "a")
                    try container.rejectMembers(excluding: ["a"])
            """) == true)
        #expect(snippet.swift("Limited")?.contains("""
                    for (name, value) in self.additionalProperties.sorted(by: { $0.key < $1.key }) {
                        validator.checkLength(value, min: nil, max: 5, at: .key(name))
                    }
            """) == true)
    }

    @Test("parameters in every place and style, response headers, security and the request they make")
    func operation() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            security: [{token: []}]
            paths:
              /pets/{ids}:
                get:
                  operationId: getPets
                  parameters:
                    - {name: ids, in: path, required: true, schema: {type: array, items: {type: integer}}}
                    - {name: filter, in: query, style: deepObject, schema: {type: object, properties: {kind: {type: string}}}}
                    - {name: words, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: string}}}
                    - {name: X-Trace, in: header, schema: {type: string}}
                    - {name: session, in: cookie, schema: {type: string}}
                  responses:
                    '200':
                      description: the pets
                      headers:
                        ETag: {required: true, schema: {type: string}}
            components:
              securitySchemes:
                token: {type: http, scheme: bearer}
            """)
        let client = snippet.client()
        #expect(client.contains("""
                public func getPets(ids: [Int], filter: Operations.GetPets.Filter? = nil, words: [String]? = nil, xTrace: String? = nil, session: String? = nil) async throws(ClientError) -> Operations.GetPets.Output {
                    let operationID = Operations.GetPets.id
                    var query = QueryBuilder()
                    query.append("filter", try core.parameterObject(filter, operationID: operationID), style: .deepObject)
                    query.append("words", words, style: .pipeDelimited, explode: false)
                    var request = HTTPRequest(method: .get, path: "/pets/" + PathParameter.encode("ids", ids) + query.queryString, security: [["token"]])
                    request.headers.setParameter("X-Trace", xTrace)
                    request.headers.appendCookie("session", session)
                    let response = try await core.send(request, operationID: operationID)
                    return try Operations.GetPets.Output(response, core: core)
                }
            """))
        #expect(client.contains("""
                public static func token(_ provider: any TokenProvider) -> BearerTokenMiddleware {
                    BearerTokenMiddleware(scheme: "token", provider: provider)
                }
            """))
        let headers = try #require(snippet.module.operations.first?.responses.first?.headers)
        #expect(headers.typeName == TypeName(["Operations", "GetPets", "OkHeaders"]))
        #expect(headers.members == [HeaderDeclaration(swiftName: "eTag", wireName: "ETag", type: .string, isRequired: true, documentation: nil)])
    }

    @Test("servers with variables become typed URLs")
    func servers() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            servers:
              - url: 'https://{region}.example.com'
                description: Production
                variables: {region: {default: eu, enum: [eu, us]}}
            paths: {}
            """)
        #expect(snippet.client().contains("""
                public static func production(region: String = "eu") throws(ServerURLError) -> URL {
                    try ServerURL.resolve("https://{region}.example.com", [("region", region, ["eu", "us"])])
                }
            """))
    }

    @Test("bounds are constants of the value's type: fractional bounds of an integer round inward and become inclusive")
    func integerBounds() throws {
        let swift = try #require(try Snippet(Self.schemas("""
            Level:
              type: object
              properties:
                level: {type: integer, minimum: 2.5, exclusiveMaximum: 7.5}
                ratio: {type: number, exclusiveMinimum: 0.25, maximum: 1}
                whole: {type: integer, minimum: 1, exclusiveMaximum: 10}
            """)).swift("Level"))
        #expect(swift.contains(#"validator.checkRange(value, minimum: 3, maximum: 7, at: "level")"#))
        #expect(swift.contains(#"validator.checkRange(value, minimum: 0.25, exclusiveMinimum: true, maximum: 1, at: "ratio")"#))
        #expect(swift.contains(#"validator.checkRange(value, minimum: 1, maximum: 10, exclusiveMaximum: true, at: "whole")"#))
    }

    @Test("oauth2 and openIdConnect tokens travel as bearer tokens; an unsupported scheme type is a warning")
    func securitySchemeKinds() throws {
        let snippet = try Snippet("""
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              securitySchemes:
                oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://example.com/token', scopes: {}}}}
                oidc: {type: openIdConnect, openIdConnectUrl: 'https://example.com/.well-known/openid-configuration'}
                tls: {type: mutualTLS}
            """)
        #expect(snippet.module.securitySchemes.map(\.name) == ["oauth", "oidc"])
        #expect(snippet.module.securitySchemes.allSatisfy { $0.kind == .bearer })
        #expect(snippet.client().contains("public static func oauth(_ provider: any TokenProvider) -> BearerTokenMiddleware {"))
        #expect(snippet.messages == ["8:10: warning: security scheme 'tls' of type 'mutualTLS' is not generated"])
    }
}
