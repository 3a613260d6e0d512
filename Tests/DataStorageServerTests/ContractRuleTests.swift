@testable import DataStorageServer
import Testing

/// Rules the contract states and the server also checks by hand must agree, or the contract
/// would promise requests the server refuses (or the other way round).
@Suite("Contract rules against the server's own checks")
struct ContractRuleTests {
    @Test("actor_ip: the contract's pattern accepts exactly the addresses inet_pton accepts", arguments: [
        "192.0.2.1", "255.255.255.255", "0.0.0.0", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4 ",
        "::", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "2001:0db8:0000:0000:0000:ff00:0042:8329",
        "::ffff:1.2.3.4", "64:ff9b::192.0.2.33", "1:::2", "1::2::3", "12345::1", "fe80::1%eth0", "g::1", ":1", "1:",
    ])
    func actorIP(address: String) throws {
        var event = event(0)
        event.actorIP = address
        let contractAccepts = (try? event.validate()) != nil
        #expect(contractAccepts == (IPAddress.canonical(address) != nil), "\(address)")
    }
}
