import Foundation
import Testing
@testable import OpenAPICodegen

/// The keyword lists in `SchemaKeywords` are the one source of truth: the parser must treat
/// each as its list says, and the README must list each where it belongs.
@Suite("Schema keyword coverage")
struct KeywordCoverageTests {
    /// A schema using each keyword as real specs do.
    static let samples: [String: String] = [
        "type": "type: string", "nullable": "nullable: true", "format": "format: uuid", "title": "title: T",
        "description": "description: d", "deprecated": "deprecated: true", "readOnly": "readOnly: true",
        "writeOnly": "writeOnly: true", "default": "default: x", "enum": "enum: [a, b]", "const": "const: a",
        "properties": "properties: {a: {type: string}}", "required": "{type: object, required: [a], properties: {a: {type: string}}}",
        "additionalProperties": "additionalProperties: {type: integer}", "items": "items: {type: string}",
        "allOf": "allOf: [{type: object, properties: {a: {type: string}}}]", "oneOf": "oneOf: [{type: string}, {type: integer}]",
        "anyOf": "anyOf: [{type: string}, {type: integer}]",
        "discriminator": "{oneOf: [{$ref: '#/components/schemas/Other'}], discriminator: {propertyName: kind}}",
        "minLength": "minLength: 1", "maxLength": "maxLength: 2", "pattern": "pattern: '^a'", "minItems": "{type: array, minItems: 1}",
        "maxItems": "{type: array, maxItems: 1}", "uniqueItems": "{type: array, uniqueItems: true}",
        "minProperties": "minProperties: 1", "maxProperties": "maxProperties: 2", "minimum": "minimum: 0", "maximum": "maximum: 9",
        "exclusiveMinimum": "exclusiveMinimum: 0", "exclusiveMaximum": "exclusiveMaximum: 9", "$ref": "$ref: '#/components/schemas/Other'",
        "example": "example: a", "examples": "examples: [a]", "externalDocs": "externalDocs: {url: 'https://example.com'}",
        "xml": "xml: {name: a}", "$comment": "$comment: c", "$schema": "$schema: 'https://json-schema.org/draft/2020-12/schema'",
        "$id": "$id: 'https://example.com/a'", "$defs": "$defs: {}", "$anchor": "$anchor: a",
        "not": "not: {type: integer}", "if": "if: {type: string}", "then": "then: {minLength: 1}", "else": "else: {maxLength: 1}",
        "patternProperties": "patternProperties: {'^a': {type: string}}", "prefixItems": "prefixItems: [{type: string}]",
        "multipleOf": "multipleOf: 2", "contains": "contains: {type: string}", "minContains": "minContains: 1",
        "maxContains": "maxContains: 2", "dependentRequired": "dependentRequired: {a: [b]}", "dependentSchemas": "dependentSchemas: {}",
        "unevaluatedProperties": "unevaluatedProperties: false", "unevaluatedItems": "unevaluatedItems: false",
        "propertyNames": "propertyNames: {maxLength: 3}", "contentEncoding": "contentEncoding: base64",
        "contentMediaType": "contentMediaType: image/png", "contentSchema": "contentSchema: {type: string}",
        "$dynamicRef": "$dynamicRef: '#a'", "$dynamicAnchor": "$dynamicAnchor: a",
    ]

    static func diagnostics(for keyword: String) throws -> [String] {
        let sample = try #require(samples[keyword], "no sample for \(keyword)")
        let schema = sample.hasPrefix("{") ? sample : "{\(sample)}"
        // nullable is the 3.0 spelling; everything else is read as 3.1 reads it.
        let version = keyword == "nullable" ? "3.0.3" : "3.1.0"
        return try Snippet("""
            openapi: \(version)
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                Other: {type: object, required: [kind], properties: {kind: {type: string}}}
                Subject: \(schema)
            """).messages
    }

    @Test("every honoured and documentation keyword is read without a warning", arguments: SchemaKeywords.honoured + SchemaKeywords.documentation)
    func honoured(keyword: String) throws {
        #expect(try Self.diagnostics(for: keyword) == [])
    }

    @Test("every keyword not honoured is a located warning that names it", arguments: SchemaKeywords.warned)
    func warned(keyword: String) throws {
        #expect(try Self.diagnostics(for: keyword) == ["7:15: warning: '\(keyword)' in a schema is not supported and is ignored"])
    }

    @Test("the README's support table names every honoured keyword, and its warning list every other one")
    func readme() throws {
        let readme = try String(contentsOf: TestPaths.packageRoot.appending(path: "README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "### Supported OpenAPI")).upperBound
        let warnedStart = try #require(readme.range(of: "Not honoured, each a located warning:", range: section..<readme.endIndex))
        let table = readme[section..<warnedStart.lowerBound]
        let warnedList = readme[warnedStart.upperBound...].prefix { $0 != "#" }
        for keyword in SchemaKeywords.honoured {
            #expect(table.contains("`\(keyword)`"), "the support table does not name `\(keyword)`")
        }
        for keyword in SchemaKeywords.warned {
            #expect(warnedList.contains("`\(keyword)`"), "the warning list does not name `\(keyword)`")
        }
        #expect(table.contains("documentation only") && SchemaKeywords.documentation.allSatisfy { table.contains("`\($0)`") })
    }

    @Test("no keyword is in two lists, and every sample is used")
    func disjoint() {
        let all = SchemaKeywords.honoured + SchemaKeywords.documentation + SchemaKeywords.warned
        #expect(Set(all).count == all.count)
        #expect(Set(all) == Set(Self.samples.keys))
    }
}
