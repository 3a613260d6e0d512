import CYAML
import Foundation

/// Parses YAML 1.1/1.2 and JSON text into a ``Node`` tree with libyaml's event parser.
///
/// libyaml supplies tokens and events; ``Composer`` turns them into nodes, expanding
/// aliases under a size limit, applying merge keys and refusing duplicate keys.
public struct YAMLParser: Sendable {
    /// The most nodes a document may expand to through aliases.
    public var expansionLimit: Int

    public init(expansionLimit: Int = 1_000_000) {
        self.expansionLimit = expansionLimit
    }

    /// Parses exactly one document from `text`; `file` is only used in locations.
    public func parse(_ text: String, file: String) throws(YAMLError) -> Node {
        var composer = Composer(file: file, expansionLimit: expansionLimit)
        var utf8 = Array(text.utf8)
        // libyaml reads from this buffer for the whole parse, so everything happens inside the closure.
        let result: Result<Node, YAMLError> = utf8.withUnsafeMutableBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return .failure(.syntax(problem: "libyaml could not initialise", context: nil, at: composer.location(line: 0, column: 0)))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(Self.syntaxError(parser, composer: composer))
                }
                defer { yaml_event_delete(&event) }
                do throws(YAMLError) {
                    if event.type == YAML_STREAM_END_EVENT {
                        return .success(try composer.finish())
                    }
                    try composer.consume(Event(event))
                } catch {
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    /// Reads and parses a file.
    public func parseFile(atPath path: String) throws(YAMLError) -> Node {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .unreadableFile(path: path, reason: exists ? "permission denied or not a regular file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not valid UTF-8")
        }
        return try parse(text, file: path)
    }

    private static func syntaxError(_ parser: yaml_parser_t, composer: Composer) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let mark = parser.problem_mark
        var context: String? = nil
        if let text = parser.context.map({ String(cString: $0) }) {
            let at = composer.location(line: parser.context_mark.line, column: parser.context_mark.column)
            context = "\(text) that starts at \(at.line):\(at.column)"
        }
        return .syntax(problem: problem, context: context, at: composer.location(line: mark.line, column: mark.column))
    }
}

/// The libyaml events the composer needs, copied out of C memory.
enum Event {
    case documentStart
    case documentEnd
    case scalar(String, style: Scalar.Style, tag: String?, anchor: String?, line: Int, column: Int)
    case sequenceStart(tag: String?, anchor: String?, line: Int, column: Int)
    case sequenceEnd
    case mappingStart(tag: String?, anchor: String?, line: Int, column: Int)
    case mappingEnd
    case alias(String, line: Int, column: Int)
    case streamStart

    init(_ event: yaml_event_t) {
        let line = event.start_mark.line
        let column = event.start_mark.column
        switch event.type {
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = data.value.map { pointer in
                String(decoding: UnsafeBufferPointer(start: pointer, count: data.length), as: UTF8.self)
            } ?? ""
            self = .scalar(
                value, style: Self.style(data.style), tag: Self.string(data.tag), anchor: Self.string(data.anchor),
                line: line, column: column)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            self = .sequenceStart(tag: Self.string(data.tag), anchor: Self.string(data.anchor), line: line, column: column)
        case YAML_SEQUENCE_END_EVENT:
            self = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            self = .mappingStart(tag: Self.string(data.tag), anchor: Self.string(data.anchor), line: line, column: column)
        case YAML_MAPPING_END_EVENT:
            self = .mappingEnd
        case YAML_ALIAS_EVENT:
            self = .alias(Self.string(event.data.alias.anchor) ?? "", line: line, column: column)
        case YAML_DOCUMENT_START_EVENT:
            self = .documentStart
        case YAML_DOCUMENT_END_EVENT:
            self = .documentEnd
        default:
            self = .streamStart
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
