import Foundation
import Testing
@testable import OpenAPICodegen

private func translate(_ spec: URL) throws -> TranslatedModule {
    let loaded = try DocumentLoader().load(path: spec.path)
    return Translator().translate(loaded.document, sourceName: spec.lastPathComponent).module
}

/// Every declaration, nested ones included.
private func flattened(_ declarations: [Declaration]) -> [Declaration] {
    declarations.flatMap { declaration -> [Declaration] in
        guard case .structure(let structure) = declaration else { return [declaration] }
        return [declaration] + flattened(structure.nestedTypes)
    }
}

private func structure(_ name: String, in declarations: [Declaration]) -> StructDeclaration? {
    for case .structure(let structure) in flattened(declarations) where structure.name == name { return structure }
    return nil
}

private func union(_ name: String, in declarations: [Declaration]) -> OneOfDeclaration? {
    for case .oneOf(let union) in flattened(declarations) where union.name == name { return union }
    return nil
}

@Suite("Translation of the kubernaut DataStorage spec",
       .enabled(if: TestPaths.sharedCorpusPresent, "../shared/specs is not beside this checkout"))
struct KubernautTranslationTests {
    static let module = Result { try translate(TestPaths.sharedSpecs.appending(path: "kubernaut-data-storage-v1.yaml")) }

    @Test("event_data becomes one case per target schema, 94 cases for 142 mapping keys")
    func discriminatedUnion() throws {
        let module = try Self.module.get()
        let eventData = try #require(union("EventData", in: module.schemas))
        #expect(eventData.cases.count == 94)
        #expect(eventData.cases.reduce(0) { $0 + $1.discriminatorValues.count } == 142)
        let gateway = try #require(eventData.cases.first { $0.swiftName == "gatewayAuditPayload" })
        #expect(gateway.discriminatorValues == ["gateway.signal.received", "gateway.signal.deduplicated", "gateway.crd.created", "gateway.crd.failed"])
        #expect(gateway.discriminatorAccess == .openEnum(property: "eventType", isOptional: false))
        #expect(eventData.discriminatorProperty == "event_type")
    }

    @Test("AuditEvent flattens allOf into one struct and reuses the inherited event_data type")
    func allOfFlattening() throws {
        let module = try Self.module.get()
        let event = try #require(structure("AuditEvent", in: module.schemas))
        let request = try #require(structure("AuditEventRequest", in: module.schemas))
        #expect(Array(event.properties.prefix(request.properties.count)).map(\.wireName) == request.properties.map(\.wireName))
        #expect(event.properties.map(\.wireName).contains("legal_hold_placed_at"))
        #expect(event.properties.first { $0.wireName == "event_data" }?.type == .named(TypeName(["AuditEventRequest", "EventData"])))
        #expect(event.nestedTypes.isEmpty)
    }

    @Test("idiomatic names, wire names kept, formats and nullability")
    func properties() throws {
        let module = try Self.module.get()
        let request = try #require(structure("AuditEventRequest", in: module.schemas))
        let byWire = Dictionary(uniqueKeysWithValues: request.properties.map { ($0.wireName, $0) })
        #expect(byWire["correlation_id"]?.swiftName == "correlationID")
        #expect(byWire["actor_ip"]?.swiftName == "actorIP")
        #expect(byWire["event_timestamp"]?.type == .builtin(.date))
        #expect(byWire["event_timestamp"]?.type == .date)
        #expect(byWire["parent_event_id"]?.type == .builtin(.uuid))
        #expect(byWire["parent_event_id"]?.isOptional == true)
        #expect(byWire["version"]?.isOptional == false)
        #expect(byWire["version"]?.checks == [.length(min: 1, max: 20)])
        #expect(byWire["event_category"]?.checks == [.nested])
    }

    @Test("typed and free-form additionalProperties")
    func additionalProperties() throws {
        let module = try Self.module.get()
        let gateway = try #require(structure("GatewayAuditPayload", in: module.schemas))
        let byWire = Dictionary(uniqueKeysWithValues: gateway.properties.map { ($0.wireName, $0.type) })
        #expect(byWire["signal_labels"] == .dictionary(.string))
        #expect(byWire["original_payload"] == .builtin(.jsonObject))
        #expect(byWire["occurrence_count"] == .builtin(.int32))
    }
}

@Suite("Translation details")
struct TranslationDetailTests {
    static let petshop = TestPaths.fixtures.appending(path: "reference/petshop.yaml")

    @Test("defaults make properties non-optional, with init and decode fallbacks")
    func defaults() throws {
        let module = try translate(Self.petshop)
        let pet = try #require(structure("Pet", in: module.schemas))
        let status = try #require(pet.properties.first { $0.wireName == "status" })
        #expect(status.defaultValue == .enumCase("available"))
        #expect(status.isOptional == false)
        #expect(status.isRequired == false)
    }

    @Test("enum cases are escaped, and the schema named Error does not shadow Swift.Error")
    func reservedNames() throws {
        let module = try translate(Self.petshop)
        #expect(module.schemas.map(\.name) == ["Pet", "Kind", "ErrorSchema"])
        guard case .openEnum(let kind) = module.schemas[1] else {
            Issue.record("Kind should be an open enum")
            return
        }
        #expect(kind.cases.map(\.swiftName) == ["cat", "dog", "class"])
    }

    @Test("exclusive bounds and deprecation carry over")
    func constraints() throws {
        let module = try translate(Self.petshop)
        let pet = try #require(structure("Pet", in: module.schemas))
        #expect(pet.properties.first { $0.wireName == "weight_kg" }?.checks == [.range(min: .number("0"), exclusiveMin: true, max: nil, exclusiveMax: false)])
        #expect(pet.properties.first { $0.wireName == "owner_url" }?.isDeprecated == true)
    }

    @Test("operations: method names, path parts, response cases")
    func operations() throws {
        let module = try translate(Self.petshop)
        let getPet = try #require(module.operations.first)
        #expect(getPet.methodName == "getPet")
        #expect(getPet.path == [.literal("/pets/"), .parameter("petID")])
        #expect(getPet.parameters.map(\.type) == [.builtin(.uuid), .array(.string)])
        #expect(getPet.responses.map(\.swiftName) == ["ok", "notFound", "default"])
    }

    @Test("union variants that the same JSON always matches are reported")
    func ambiguousVariants() throws {
        let spec = TestPaths.packageRoot.appending(path: "Tests/GeneratedCodeTests/features.yaml")
        let loaded = try DocumentLoader().load(path: spec.path)
        let diagnostics = Translator().translate(loaded.document, sourceName: "features.yaml").diagnostics
        // Shape (Circle|Label: every Circle is also a Label); Scalar's string|integer is fine, and
        // Flexible is an anyOf, which keeps every variant that matches.
        let text = try String(contentsOf: spec, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let shape = try #require(text.firstIndex { $0.hasPrefix("    Shape:") })
        let labelVariant = try #require(text[shape...].firstIndex { $0.contains("- $ref: '#/components/schemas/Label'") })
        #expect(diagnostics.map(\.location.line) == [labelVariant + 1])
        #expect(diagnostics.allSatisfy { $0.message.contains("can match the same JSON") && $0.severity == .warning })
    }

    @Test("recursive members are boxed, arrays are not")
    func recursion() throws {
        let module = try translate(TestPaths.fixtures.appending(path: "external/root.yaml"))
        let node = try #require(structure("Node", in: module.schemas))
        #expect(node.properties.first { $0.wireName == "next" }?.isBoxed == true)
        #expect(node.properties.first { $0.wireName == "children" }?.isBoxed == false)
    }

    @Test("an enum of several structures is indirect; one of scalars and an anyOf kept as a struct are not")
    func unionLayout() throws {
        let module = try translate(TestPaths.packageRoot.appending(path: "Tests/GeneratedCodeTests/features.yaml"))
        #expect(try #require(union("Shape", in: module.schemas)).isIndirect)
        #expect(try #require(union("Scalar", in: module.schemas)).isIndirect == false)
        let flexible = try #require(union("Flexible", in: module.schemas))
        #expect(flexible.keepsEveryMatch && !flexible.isIndirect)
    }
}
