import Foundation
import OpenAPICodegenRuntime
import TestSupport
import Testing
// Only the check: Audit also re-exports our own contract's AuditEventRequest.
import func Audit.discriminatorMismatch

/// Round trips on models generated from a contract with the shape of kubernaut's, whose `event_data` is a
/// `oneOf` selected by `event_type`, several values naming one schema (kubernaut-event-data.yaml).
@Suite("kubernaut's discriminated event_data")
struct DiscriminatedEventDataTests {
    static func event(type: String, data: String) -> String {
        #"{"version":"1.0","event_type":"\#(type)","event_timestamp":"2025-12-13T02:00:00Z","event_category":"gateway","event_action":"received","event_outcome":"success","correlation_id":"rr-1","event_data":\#(data)}"#
    }

    @Test("each of several mapping keys for one schema decodes to that case and re-encodes its own value", arguments: [
        "gateway.signal.received", "gateway.signal.deduplicated", "gateway.crd.created", "gateway.crd.failed",
    ])
    func manyKeysOneSchema(eventType: String) throws {
        let data = #"{"event_type":"\#(eventType)","signal_type":"alert","signal_name":"HighMemory","namespace":"payment","fingerprint":"abc","signal_labels":{"team":"core"},"original_payload":{"nested":[1,{"x":null}]}}"#
        let request = try decodeBothWays(AuditEventRequest.self, from: Data(Self.event(type: eventType, data: data).utf8))
        guard case .gatewayAuditPayload(let payload) = request.eventData else {
            Issue.record("expected the gateway payload, got \(request.eventData)")
            return
        }
        #expect(payload.signalLabels == ["team": "core"])
        #expect(payload.originalPayload == ["nested": [1, ["x": nil]]])
        #expect(request.eventData.discriminatorValue == eventType)
        let reencoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(request))
        #expect(reencoded.objectValue?["event_data"]?.objectValue?["event_type"] == .string(eventType))
        #expect(try decodeBothWays(AuditEventRequest.self, from: JSONEncoder().encode(request)) == request)
        #expect(throws: Never.self) { try request.validate() }
    }

    @Test("a payload without the discriminator member still round-trips its event_type")
    func payloadWithoutDiscriminatorMember() throws {
        let data = #"{"event_type":"notification.message.sent","notification_id":"n-1","channel":"slack","subject":"s","body":"b","priority":"high","type":"alert"}"#
        let request = try decodeBothWays(AuditEventRequest.self, from: Data(Self.event(type: "notification.message.sent", data: data).utf8))
        guard case .notificationMessageSentPayload(let payload) = request.eventData else {
            Issue.record("wrong case \(request.eventData)")
            return
        }
        #expect(payload.type == "alert")
        #expect(request.eventData.discriminatorValue == "notification.message.sent")
        let reencoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(request.eventData))
        #expect(reencoded.objectValue?["event_type"] == "notification.message.sent")
        #expect(reencoded.objectValue?["channel"] == "slack")
    }

    @Test("the direct JSON writer writes what the encoder writes, for payloads with and without their discriminator member")
    func directWriter() throws {
        let gateway = #"{"event_type":"gateway.crd.created","signal_type":"alert","signal_name":"a","namespace":"n","fingerprint":"f"}"#
        let notification = #"{"event_type":"notification.message.sent","notification_id":"n-1","channel":"slack","subject":"s","body":"b","priority":"high","type":"alert"}"#
        for (type, data) in [("gateway.crd.created", gateway), ("notification.message.sent", notification)] {
            let request = try decodeBothWays(AuditEventRequest.self, from: Data(Self.event(type: type, data: data).utf8))
            let direct = try JSONDecoder().decode(JSONValue.self, from: StreamingJSONEncoder().encode(request))
            #expect(direct == (try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(request))))
            #expect(direct.objectValue?["event_data"]?.objectValue?["event_type"] == .string(type))
        }
    }

    @Test("a payload missing a required member is a decoding error, not another case")
    func missingRequiredMember() {
        let data = #"{"event_type":"notification.message.sent","notification_id":"n-1"}"#
        #expect(throws: DecodingError.self) {
            try decodeBothWays(AuditEventRequest.self, from: Data(Self.event(type: "notification.message.sent", data: data).utf8))
        }
    }

    @Test("an unknown discriminator is kept as JSON and fails validation")
    func unknownDiscriminator() throws {
        let data = #"{"event_type":"martian.landing","crew":3}"#
        let request = try decodeBothWays(AuditEventRequest.self, from: Data(Self.event(type: "martian.landing", data: data).utf8))
        #expect(request.eventData == .undocumented(["event_type": "martian.landing", "crew": 3]))
        #expect(request.eventData.discriminatorValue == "martian.landing")
        #expect {
            try request.validate()
        } throws: { error in
            (error as? ValidationError)?.violations.map(\.jsonPath) == ["$.event_data.event_type"]
        }
    }

    @Test("a payload that breaks its own schema is reported at its path")
    func payloadValidation() throws {
        let data = #"{"event_type":"gateway.signal.received","signal_type":"pager","signal_name":"x","namespace":"n","fingerprint":"f"}"#
        let request = try decodeBothWays(AuditEventRequest.self, from: Data(Self.event(type: "gateway.signal.received", data: data).utf8))
        #expect {
            try request.validate()
        } throws: { error in
            (error as? ValidationError)?.violations.map(\.jsonPath) == ["$.event_data.signal_type"]
        }
    }

    @Test("AuditEvent (allOf) decodes request fields and its own")
    func allOf() throws {
        var text = Self.event(type: "gateway.crd.created", data: #"{"event_type":"gateway.crd.created","signal_type":"alert","signal_name":"a","namespace":"n","fingerprint":"f"}"#)
        text.removeLast()
        text += #","event_id":"e621e1f8-c36c-495a-93fc-0c247a3e6e5f","legal_hold":true,"event_date":"2025-12-13"}"#
        let event = try decodeBothWays(AuditEvent.self, from: Data(text.utf8))
        #expect(event.legalHold == true)
        #expect(event.eventDate == "2025-12-13")
        #expect(event.correlationID == "rr-1")
    }
}

/// kubernaut's Go store rejects an event whose `event_type` differs from the one inside
/// `event_data`; the audit library's check does the same for any discriminated union.
@Suite("event_type against the event_data discriminator")
struct EventTypeMismatchTests {
    static func eventData(_ type: String, _ data: String) throws -> AuditEventRequest.EventData {
        try decodeBothWays(AuditEventRequest.self, from: Data(DiscriminatedEventDataTests.event(type: type, data: data).utf8)).eventData
    }

    static let gateway = #"{"event_type":"gateway.crd.created","signal_type":"alert","signal_name":"a","namespace":"n","fingerprint":"f"}"#
    static let notification = #"{"event_type":"notification.message.sent","notification_id":"n","channel":"c","subject":"s","body":"b","priority":"p","type":"t"}"#

    @Test("three mismatched pairs are reported", arguments: [
        ("gateway.signal.received", gateway, "gateway.crd.created"),
        ("notification.message.failed", notification, "notification.message.sent"),
        ("aianalysis.phase.transition", gateway, "gateway.crd.created"),
    ])
    func mismatches(outer: String, data: String, inner: String) throws {
        #expect(discriminatorMismatch(eventType: outer, eventData: try Self.eventData(outer, data)) == inner)
    }

    @Test("a matching pair passes")
    func match() throws {
        #expect(discriminatorMismatch(eventType: "gateway.crd.created", eventData: try Self.eventData("gateway.crd.created", Self.gateway)) == nil)
    }
}
