import Testing
@testable import OpenAPICodegen

@Suite("Swift naming")
struct NamingTests {
    @Test("member names follow the API Design Guidelines", arguments: [
        ("correlation_id", "correlationID"), ("actor_ip", "actorIP"), ("event_ids", "eventIDs"), ("id", "id"),
        ("url", "url"), ("http_status", "httpStatus"), ("HTTPStatus", "httpStatus"), ("api_key", "apiKey"),
        ("gateway.signal.received", "gatewaySignalReceived"), ("whenToUse", "whenToUse"), ("uuid_list", "uuidList"),
        ("json-body", "jsonBody"), ("2xx", "_2xx"), ("KADelegated", "kaDelegated"), ("base_uri", "baseURI"),
    ])
    func memberNames(raw: String, expected: String) {
        #expect(SwiftNaming.memberName(raw) == expected)
    }

    @Test("type names keep acronyms and capitalise initialisms", arguments: [
        ("audit_event", "AuditEvent"), ("AIAnalysisAuditPayload", "AIAnalysisAuditPayload"), ("RFC7807Problem", "RFC7807Problem"),
        ("http-client", "HTTPClient"), ("event ids", "EventIDs"), ("pet", "Pet"), ("uri_template", "URITemplate"),
    ])
    func typeNames(raw: String, expected: String) {
        #expect(SwiftNaming.typeName(raw) == expected)
    }

    @Test("keywords are escaped with backticks")
    func keywords() {
        #expect(SwiftNaming.escaped("Type") == "`Type`")
        #expect(SwiftNaming.escaped("default") == "`default`")
        #expect(SwiftNaming.escaped("class") == "`class`")
        #expect(SwiftNaming.escaped("self") == "`self`")
        #expect(SwiftNaming.escaped("name") == "name")
    }

    @Test("collisions get deterministic suffixes")
    func collisions() {
        var names = NameAllocator(reserved: ["Error"])
        #expect(names.allocate("Pet") == "Pet")
        #expect(names.allocate("Pet") == "Pet2")
        #expect(names.allocate("Pet") == "Pet3")
        #expect(names.allocate("Error", alternative: "ErrorSchema") == "ErrorSchema")
    }
}
