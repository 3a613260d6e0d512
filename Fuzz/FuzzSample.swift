// The model the request fuzzers decode into. Built with them by scripts/fuzz.
import Foundation
import OpenAPICodegenRuntime

/// A model with the member kinds generated code decodes: scalars, arrays, a nested object,
/// bytes, free-form JSON, and optional members.
struct Sample: Decodable, Equatable {
    struct Window: Decodable, Equatable {
        var from: Int
        var to: Int?
    }

    var name: String?
    var count: Int?
    var ratio: Double?
    var flag: Bool?
    var tags: [String]?
    var numbers: [Int]?
    var window: Window?
    var file: Data?
    var extra: JSONValue?
    var id: UUID?
}

// What the generator emits for these two types with `jsonReaders: true`, written out: both
// paths key members by `DynamicCodingKey`, so their errors name keys alike.
extension Sample {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicCodingKey.self)
        name = try container.decodeValueIfPresent(forKey: "name")
        count = try container.decodeValueIfPresent(forKey: "count")
        ratio = try container.decodeValueIfPresent(forKey: "ratio")
        flag = try container.decodeValueIfPresent(forKey: "flag")
        tags = try container.decodeValueIfPresent(forKey: "tags")
        numbers = try container.decodeValueIfPresent(forKey: "numbers")
        window = try container.decodeValueIfPresent(forKey: "window")
        file = try container.decodeValueIfPresent(forKey: "file")
        extra = try container.decodeValueIfPresent(forKey: "extra")
        id = try container.decodeValueIfPresent(forKey: "id")
    }
}

extension Sample.Window {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicCodingKey.self)
        from = try container.decodeValue(forKey: "from")
        to = try container.decodeValueIfPresent(forKey: "to")
    }
}

extension Sample: JSONReadable {
    init(jsonReader reader: inout JSONReader) throws {
        let object = try reader.beginObject()
        name = try reader.decodeValueIfPresent(object, "name")
        count = try reader.decodeValueIfPresent(object, "count")
        ratio = try reader.decodeValueIfPresent(object, "ratio")
        flag = try reader.decodeValueIfPresent(object, "flag")
        tags = try reader.decodeValueIfPresent(object, "tags")
        numbers = try reader.decodeValueIfPresent(object, "numbers")
        window = try reader.decodeValueIfPresent(object, "window")
        file = try reader.decodeValueIfPresent(object, "file")
        extra = try reader.decodeValueIfPresent(object, "extra")
        id = try reader.decodeValueIfPresent(object, "id")
        reader.end(object)
    }
}

extension Sample.Window: JSONReadable {
    init(jsonReader reader: inout JSONReader) throws {
        let object = try reader.beginObject()
        from = try reader.decodeValue(object, "from")
        to = try reader.decodeValueIfPresent(object, "to")
        reader.end(object)
    }
}
