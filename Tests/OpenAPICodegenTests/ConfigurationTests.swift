import Foundation
import Testing
@testable import OpenAPICodegen

/// `openapi-codegen.yaml`'s options, each read from a real file and applied to a snippet.
@Suite("Configuration options")
struct ConfigurationTests {
    static let spec = """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /users/{id}:
            get:
              operationId: get_user
              tags: [users]
              parameters:
                - {name: id, in: path, required: true, schema: {$ref: '#/components/schemas/UserID'}}
              responses:
                '200':
                  description: the user
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/User'}
          /orders:
            get:
              operationId: listOrders
              tags: [orders]
              responses:
                '200':
                  description: orders
                  content:
                    application/json:
                      schema: {type: array, items: {$ref: '#/components/schemas/Order'}}
        components:
          schemas:
            UserID: {type: string, format: uuid}
            User:
              type: object
              properties:
                id: {$ref: '#/components/schemas/UserID'}
                address: {$ref: '#/components/schemas/Address'}
                seen: {type: string, format: date-time, maxLength: 40}
            Address: {type: object, properties: {city: {type: string}}}
            Order: {type: object, properties: {total: {type: number}}}
            Orphan: {type: object, properties: {unused: {type: string}}}
        """

    static func options(_ yaml: String) throws -> TranslationOptions {
        let directory = try TestPaths.temporaryDirectory()
        let path = directory.appending(path: "openapi-codegen.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try CodegenConfiguration.load(path: path).options
    }

    @Test("pruneUnusedSchemas keeps exactly the schemas the selected operations reach")
    func prune() throws {
        let all = try Snippet(Self.spec, options: Self.options("pruneUnusedSchemas: false\n"))
        #expect(all.module.schemas.map(\.name) == ["UserID", "User", "Address", "Order", "Orphan"])
        let users = try Snippet(Self.spec, options: Self.options("tags: [users]\npruneUnusedSchemas: true\n"))
        #expect(users.module.schemas.map(\.name) == ["UserID", "User", "Address"])
    }

    @Test("nameOverrides rename schemas and operations; typeOverrides put the application's types in their place")
    func overrides() throws {
        let snippet = try Snippet(Self.spec, options: Self.options("""
            nameOverrides: {User: Person, get_user: fetchPerson}
            typeOverrides:
              schemas: {UserID: Identity.UserID}
              formats: {date-time: Identity.Instant}
            """))
        #expect(snippet.module.schemas.map(\.name) == ["Person", "Address", "Order", "Orphan"], "no declaration for the supplied UserID")
        let person = try #require(snippet.swift("Person"))
        #expect(person.contains("public var id: Identity.UserID?"))
        #expect(person.contains("public var seen: Identity.Instant?"))
        #expect(!person.contains("checkLength"), "a supplied type's constraints are its own business")
        #expect(snippet.client().contains("public func fetchPerson(id: Identity.UserID) async throws(ClientError) -> Operations.FetchPerson.Output"))
        #expect(snippet.client().contains(#"PathParameter.encode("id", id)"#), "a supplied type for a string schema is a path scalar")
    }

    @Test("a supplied type stands for everything behind it: what only it reaches is not generated, and it is validated where it is used")
    func suppliedTypeHidesWhatItReaches() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            components:
              schemas:
                Payload:
                  oneOf: [{$ref: '#/components/schemas/Alpha'}, {$ref: '#/components/schemas/Beta'}]
                  discriminator: {propertyName: kind}
                Alpha: {type: object, required: [kind], properties: {kind: {type: string}, shared: {$ref: '#/components/schemas/Shared'}}}
                Beta: {type: object, required: [kind], properties: {kind: {type: string}}}
                Shared: {type: object, properties: {n: {type: integer}}}
            """.write(to: directory.appending(path: "theirs.yaml"), atomically: true, encoding: .utf8)
        let spec = directory.appending(path: "ours.yaml")
        try """
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                Event:
                  type: object
                  required: [data]
                  properties:
                    data: {$ref: '#/components/schemas/Data'}
                    extra: {$ref: 'theirs.yaml#/components/schemas/Shared'}
                    more: {type: array, items: {$ref: '#/components/schemas/External'}}
                Data:
                  oneOf: [{$ref: '#/components/schemas/Envelope'}, {$ref: '#/components/schemas/External'}]
                Envelope: {type: object, required: [service], properties: {service: {type: string}}}
                External: {$ref: 'theirs.yaml#/components/schemas/Payload'}
            """.write(to: spec, atomically: true, encoding: .utf8)
        for pruning in [false, true] {
            let options = try Self.options("pruneUnusedSchemas: \(pruning)\ntypeOverrides:\n  schemas: {External: Theirs.Payload}\n")
            let generated = try generate(spec, options: options).values.joined(separator: "\n")
            if pruning {
                #expect(!generated.contains("struct Event"), "no operation reaches Event")
                continue
            }
            for hidden in ["enum Payload", "struct Alpha", "struct Beta"] {
                #expect(!generated.contains(hidden), "\(hidden) is reached only through the supplied Theirs.Payload")
            }
            #expect(generated.contains("struct Shared"), "Event reaches Shared directly too")
            #expect(generated.contains("case payload(Theirs.Payload)"))
            #expect(generated.contains("case .payload(let value): validator.collectViolations(ofSupplied: value)"))
            #expect(generated.contains(#"validator.nested("more") { validator in"#) && generated.contains("validator.validateSupplied(item0, at: .index(index0))"))
        }
    }

    @Test("an override that names nothing in the spec is an error where it is written")
    func unknownOverride() throws {
        let options = try Self.options("nameOverrides: {Usr: Person}\ntypeOverrides:\n  schemas: {Nope: X}\n")
        #expect(snippetErrors(Self.spec, options: options) == [
            "1:17: nameOverrides names 'Usr', which is neither a schema nor an operationId in the spec",
            "3:13: typeOverrides.schemas names 'Nope', which is not a schema in the spec",
        ])
    }

    @Test("every configuration key is documented in the README's recipe or its options table")
    func keysDocumented() throws {
        let readme = try String(contentsOf: TestPaths.packageRoot.appending(path: "README.md"), encoding: .utf8)
        for key in CodegenConfiguration.keys {
            #expect(readme.contains("\(key):"), "README does not show '\(key):'")
        }
    }
}
