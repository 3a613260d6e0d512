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
