import Foundation
import Testing
import YAML
@testable import OpenAPICodegen

/// Writes `text` as a spec in a fresh directory and loads it.
private func load(_ text: String, name: String = "spec.yaml") throws -> LoadedDocument {
    let directory = try TestPaths.temporaryDirectory()
    let url = directory.appending(path: name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return try DocumentLoader().load(path: url.path)
}

private func loadErrors(_ text: String) -> [Diagnostic] {
    do {
        _ = try load(text)
        return []
    } catch let error as CodegenError {
        return error.errors
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}

private func object(_ schema: Schema) -> SchemaObject? {
    if case .inline(let object) = schema { return object }
    return nil
}

@Suite("OpenAPI document model")
struct DocumentLoaderTests {
    @Test("3.1 type: [T, null] means the same as 3.0 nullable")
    func nullableEquivalence() throws {
        let v30 = try load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: {type: string, nullable: true}}}\n")
        let v31 = try load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: {type: [string, 'null']}}}\n")
        let a = try #require(object(v30.document.schemas[0].schema))
        let b = try #require(object(v31.document.schemas[0].schema))
        #expect(a.types == [.string] && a.nullable)
        #expect(b.types == [.string] && b.nullable)
        #expect(v30.document.version == .v3_0 && v31.document.version == .v3_1)
    }

    @Test("local and cross-file references resolve to one named schema each")
    func crossFileReferences() throws {
        let loaded = try DocumentLoader().load(path: TestPaths.fixtures.appending(path: "external/root.yaml").path)
        #expect(loaded.document.schemas.map(\.name) == ["Envelope", "Node", "item", "Tag"])
        #expect(loaded.sourceFiles.map { URL(fileURLWithPath: $0).lastPathComponent } == ["root.yaml", "item.yaml"])
        let envelope = try #require(object(loaded.document.schemas[0].schema))
        guard case .reference(let itemKey, _) = envelope.properties[0].schema, case .reference(let tagKey, _) = envelope.properties[1].schema else {
            Issue.record("expected references")
            return
        }
        #expect(itemKey.file.hasSuffix("shared/item.yaml") && itemKey.pointer == "")
        #expect(tagKey.pointer == "/$defs/Tag")
        // item.yaml's own '#/$defs/Tag' is the same schema, not a second one.
        #expect(loaded.document.schemas.filter { $0.name == "Tag" }.count == 1)
    }

    @Test("reference cycles are allowed in schemas")
    func cycles() throws {
        let loaded = try load("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
                B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}
            """)
        #expect(loaded.document.schemas.count == 2)
    }

    @Test("an unresolvable reference is an error at the $ref")
    func danglingReference() {
        let errors = loadErrors("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                A:
                  $ref: './missing.yaml#/X'
            """)
        #expect(errors.count == 1)
        #expect(errors.first?.location.line == 7)
        #expect(errors.first?.location.column == 13)
        #expect(errors.first?.message.contains("missing.yaml") == true)
    }

    @Test("unsupported features are warnings with a location, and are skipped")
    func unsupportedWarnings() throws {
        let loaded = try load("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /a:
                get:
                  callbacks: {}
                  parameters:
                    - {name: c, in: cookie, schema: {type: string}}
                  responses:
                    '200':
                      description: ok
                      headers: {X-Rate: {schema: {type: integer}}}
            components:
              schemas:
                A: {type: string, not: {type: integer}}
            """)
        let messages = loaded.diagnostics.map { "\($0.location.line):\($0.message)" }
        #expect(messages.contains("6:callbacks are not generated"))
        #expect(loaded.document.operations[0].responses[0].headers.map(\.name) == ["X-Rate"], "response headers are generated")
        #expect(messages.contains("15:'not' in a schema is not supported and is ignored"))
        #expect(loaded.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(loaded.document.operations[0].parameters.map(\.location) == [.cookie], "cookie parameters are generated")
    }

    @Test("operations keep document order, merge path-level parameters and parse statuses")
    func operations() throws {
        let loaded = try load("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /items/{id}:
                parameters:
                  - {name: id, in: path, required: true, schema: {type: string}}
                  - {name: verbose, in: query, schema: {type: boolean}}
                delete:
                  operationId: deleteItem
                  parameters:
                    - {name: verbose, in: query, schema: {type: integer}}
                  responses: {'204': {description: gone}, '4XX': {description: bad}, default: {description: other}}
                get:
                  operationId: getItem
                  responses: {'200': {description: ok}}
            """)
        let operations = loaded.document.operations
        #expect(operations.map(\.operationID) == ["deleteItem", "getItem"])
        #expect(operations[0].parameters.map(\.name) == ["id", "verbose"])
        #expect(object(operations[0].parameters[1].schema)?.types == [.integer])
        #expect(operations[0].responses.map(\.status) == [.code(204), .range(4), .default])
    }

    @Test("non-OpenAPI-3 documents are refused", arguments: [
        ("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", "Swagger"),
        ("info: {title: t, version: '1'}\npaths: {}\n", "missing 'openapi'"),
        ("openapi: 4.0.0\npaths: {}\n", "unsupported OpenAPI version"),
        ("- a\n- b\n", "must be a mapping"),
    ])
    func notOpenAPI3(text: String, expected: String) {
        let errors = loadErrors(text)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains(expected) == true)
    }

    @Test("3.1 exclusive bounds are numbers, 3.0 ones are flags")
    func exclusiveBounds() throws {
        let v30 = try load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: {type: integer, exclusiveMinimum: true, minimum: 1}}}\n")
        let v31 = try load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: {type: integer, exclusiveMinimum: 1}}}\n")
        for loaded in [v30, v31] {
            let bound = try #require(object(loaded.document.schemas[0].schema)?.minimum)
            #expect(bound.value == 1 && bound.isExclusive)
        }
    }
}
