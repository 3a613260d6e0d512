import Foundation

/// An `application/x-www-form-urlencoded` body: `name=value&…`, arrays as repeated names,
/// nested objects as JSON text. Spaces are `+`, as HTML forms send them.
public enum FormURLEncoded {
    /// The body text for an object's members.
    public static func encode(_ object: ParameterObject) -> Data {
        var pairs: [String] = []
        for (name, value) in object.members {
            let key = component(name)
            switch value {
            case .null: continue
            case .array(let elements):
                for element in elements { pairs.append(key + "=" + component(element.parameterText)) }
            default:
                pairs.append(key + "=" + component(value.parameterText))
            }
        }
        return Data(pairs.joined(separator: "&").utf8)
    }

    private static func component(_ text: String) -> String {
        PercentEncoding.encode(text).replacingOccurrences(of: "%20", with: "+")
    }
}

/// A `multipart/form-data` body (RFC 7578) built part by part, with a boundary that the
/// `Content-Type` header carries, so servers can find where each part ends.
public struct MultipartForm: Sendable {
    /// The delimiter between parts; random unless given (tests give one).
    public let boundary: String
    private var bytes = Data()

    /// An empty form; the default boundary is random, so no part's content can contain it by chance.
    public init(boundary: String = "openapi-codegen-" + UUID().uuidString.lowercased()) {
        self.boundary = boundary
    }

    /// `multipart/form-data; boundary=…`, for the request's `Content-Type` header.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The body with its closing delimiter.
    public var body: Data { bytes + Data("--\(boundary)--\r\n".utf8) }

    /// A text part: strings, numbers, booleans, dates, enums.
    public mutating func append(_ name: String, _ value: (some ParameterValue)?) {
        guard let value else { return }
        appendPart(name, filename: nil, contentType: "text/plain; charset=utf-8", data: Data(value.parameterText.utf8))
    }

    /// One text part per element, under the same name.
    public mutating func append(_ name: String, _ values: [some ParameterValue]?) {
        for value in values ?? [] { append(name, value) }
    }

    /// A file part: raw bytes, sent as `application/octet-stream`.
    public mutating func append(_ name: String, _ data: Data?, filename: String? = nil) {
        guard let data else { return }
        appendPart(name, filename: filename ?? name, contentType: "application/octet-stream", data: data)
    }

    /// A JSON part, for objects and everything else.
    public mutating func appendJSON(_ name: String, _ value: (some Encodable)?) throws {
        guard let value else { return }
        appendPart(name, filename: nil, contentType: "application/json", data: try StreamingJSONEncoder().encode(value))
    }

    private mutating func appendPart(_ name: String, filename: String?, contentType: String, data: Data) {
        var disposition = "form-data; name=\"\(Self.quoted(name))\""
        if let filename { disposition += "; filename=\"\(Self.quoted(filename))\"" }
        bytes += Data("--\(boundary)\r\nContent-Disposition: \(disposition)\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        bytes += data
        bytes += Data("\r\n".utf8)
    }

    /// RFC 7578 §4.2: quotes and line breaks in a name are percent-encoded.
    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}

extension ClientCore {
    /// Encodes a form body from a generated struct's members.
    public func encodeForm(_ value: some Encodable, operationID: String) throws(ClientError) -> Data {
        FormURLEncoded.encode(try parameterObject(value, operationID: operationID))
    }

    /// Runs the generated part-writing code, turning its encoding failures into ``ClientError``.
    public func encodeMultipart(operationID: String, _ build: (inout MultipartForm) throws -> Void) throws(ClientError) -> MultipartForm {
        var form = MultipartForm()
        do {
            try build(&form)
        } catch {
            throw .encoding(operationID: operationID, underlying: error)
        }
        return form
    }
}
