import Foundation

/// Writes generated files and compares them with what is on disk.
public enum OutputDirectory {
    /// Writes each file whose contents changed; unchanged files keep their timestamps,
    /// so the build does not recompile them.
    public static func write(_ files: [GeneratedFile], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file.name)
            let data = Data(file.contents.utf8)
            if FileManager.default.contents(atPath: path) == data { continue }
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    /// One line per difference between `files` and the directory; empty when identical.
    public static func differences(_ files: [GeneratedFile], in directory: String) -> [String] {
        var report: [String] = []
        let expectedNames = Set(files.map(\.name))
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file.name)
            guard let data = FileManager.default.contents(atPath: path) else {
                report.append("\(file.name): missing")
                continue
            }
            let existing = String(decoding: data, as: UTF8.self)
            guard existing != file.contents else { continue }
            let old = existing.split(separator: "\n", omittingEmptySubsequences: false)
            let new = file.contents.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
            report.append("\(file.name): differs from line \(line + 1) (\(old.count) lines on disk, \(new.count) generated)")
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in present.sorted() where name.hasSuffix(".swift") && !expectedNames.contains(name) {
            report.append("\(name): not produced by the generator")
        }
        return report
    }
}
