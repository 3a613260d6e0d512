import Crypto
import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

extension Checkpoint {
    /// What the signature covers, as the contract's `Checkpoint` defines it: a fixed first
    /// line, then the canonical JSON of every member but the signature.
    public var signedBytes: [UInt8] {
        get throws {
            guard case .object(var members) = try JSONReader.decode(JSONValue.self, from: StreamingJSONEncoder().encode(self)) else {
                preconditionFailure("a Checkpoint encodes as a JSON object")
            }
            members["signature"] = nil
            return Array("swift-audit checkpoint v1\n".utf8) + CanonicalJSON.bytes(.object(members))
        }
    }

    /// Whether `signature` is `publicKey`'s over ``signedBytes`` and `keyID` names that key.
    public func isSigned(by publicKey: Curve25519.Signing.PublicKey) throws -> Bool {
        guard keyID == CheckpointSigner.keyID(of: publicKey), let signature = Data(base64Encoded: signature) else { return false }
        return publicKey.isValidSignature(signature, for: try signedBytes)
    }
}

extension ChainHead {
    /// The Merkle leaf of this chain head: its canonical JSON.
    public var leafBytes: [UInt8] {
        get throws {
            CanonicalJSON.bytes(try JSONReader.decode(JSONValue.self, from: StreamingJSONEncoder().encode(self)))
        }
    }

    /// The leaf's hash in the checkpoint tree.
    public var leafHash: [UInt8] {
        get throws { MerkleTree.leafHash(try leafBytes) }
    }
}

/// Signs checkpoints with an Ed25519 private key.
public struct CheckpointSigner: Sendable {
    /// The key whose public half verifiers hold.
    public let privateKey: Curve25519.Signing.PrivateKey

    /// Signs with `privateKey`.
    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
    }

    /// Reads the private key from a PEM file (PKCS #8, as `openssl genpkey -algorithm ed25519` writes it).
    public init(privateKeyFile path: String) throws(KeyFileError) {
        self.init(privateKey: try KeyFile.privateKey(at: path))
    }

    /// SHA-256 of the raw 32-byte public key, in hex: the checkpoint's `key_id`.
    public static func keyID(of publicKey: Curve25519.Signing.PublicKey) -> String {
        Hex.encode(SHA256.hash(data: publicKey.rawRepresentation))
    }

    /// The checkpoint over `heads` (sorted by correlation_id's UTF-8 bytes) that follows
    /// `previous` (nil for the first): the next sequence number, linked to its root.
    public func checkpoint(following previous: Checkpoint?, createdAt: Date, heads: [ChainHead]) throws -> Checkpoint {
        let root = MerkleTree.root(leafHashes: try heads.map { try $0.leafHash })
        var checkpoint = Checkpoint(
            sequence: (previous?.sequence ?? 0) + 1, createdAt: createdAt, chainCount: Int64(heads.count),
            eventCount: heads.reduce(0) { $0 + $1.chainLength }, root: Hex.encode(root), previousRoot: previous?.root,
            keyID: Self.keyID(of: privateKey.publicKey), signature: "")
        checkpoint.signature = try privateKey.signature(for: checkpoint.signedBytes).base64EncodedString()
        return checkpoint
    }
}

/// A key file that cannot be used, and why.
public struct KeyFileError: Error, CustomStringConvertible, Equatable {
    /// The file, as given.
    public var path: String
    /// What is wrong with it.
    public var reason: String

    public var description: String { "key file \(path): \(reason)" }
}

/// Ed25519 keys in PEM files: PKCS #8 `PRIVATE KEY` and SubjectPublicKeyInfo `PUBLIC KEY`,
/// the forms OpenSSL reads and writes. For Ed25519 both are a fixed DER prefix and the raw 32
/// bytes (RFC 8410), so no ASN.1 parser is needed.
public enum KeyFile {
    /// `SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }`.
    static let privateKeyPrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    /// `SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) }`.
    static let publicKeyPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The Ed25519 private key in the PEM file at `path` (`-----BEGIN PRIVATE KEY-----`).
    public static func privateKey(at path: String) throws(KeyFileError) -> Curve25519.Signing.PrivateKey {
        let raw = try rawKey(at: path, label: "PRIVATE KEY", prefix: privateKeyPrefix)
        do { return try Curve25519.Signing.PrivateKey(rawRepresentation: raw) } catch {
            throw KeyFileError(path: path, reason: "not an Ed25519 private key (\(error))")
        }
    }

    /// The Ed25519 public key in the PEM file at `path` (`-----BEGIN PUBLIC KEY-----`).
    public static func publicKey(at path: String) throws(KeyFileError) -> Curve25519.Signing.PublicKey {
        let raw = try rawKey(at: path, label: "PUBLIC KEY", prefix: publicKeyPrefix)
        do { return try Curve25519.Signing.PublicKey(rawRepresentation: raw) } catch {
            throw KeyFileError(path: path, reason: "not an Ed25519 public key (\(error))")
        }
    }

    /// The PEM text of a private key, as OpenSSL writes it.
    public static func pem(_ key: Curve25519.Signing.PrivateKey) -> String {
        pem(label: "PRIVATE KEY", der: privateKeyPrefix + key.rawRepresentation)
    }

    /// The PEM text of a public key, as OpenSSL writes it.
    public static func pem(_ key: Curve25519.Signing.PublicKey) -> String {
        pem(label: "PUBLIC KEY", der: publicKeyPrefix + key.rawRepresentation)
    }

    private static func pem(label: String, der: [UInt8]) -> String {
        "-----BEGIN \(label)-----\n\(Data(der).base64EncodedString())\n-----END \(label)-----\n"
    }

    private static func rawKey(at path: String, label: String, prefix: [UInt8]) throws(KeyFileError) -> [UInt8] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw KeyFileError(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else {
            throw KeyFileError(path: path, reason: "no '\(begin)' … '\(end)' block (an Ed25519 key in PEM, as `openssl genpkey -algorithm ed25519` writes)")
        }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)), der.count == prefix.count + 32, Array(der.prefix(prefix.count)) == prefix else {
            throw KeyFileError(path: path, reason: "the \(label) block is not an Ed25519 key (RFC 8410)")
        }
        return Array(der.suffix(32))
    }
}
