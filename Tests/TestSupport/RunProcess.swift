import Foundation

/// The result of running a process to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs a process to its end without holding a thread: tests that wait minutes for a build
/// would otherwise take the cooperative pool's threads (two on two cores) from every other
/// test running beside them.
public func runProcess(_ executable: String, _ arguments: [String], currentDirectory: URL? = nil) async throws -> ProcessResult {
    // Output goes to files rather than pipes, so a chatty process can never block on a full pipe.
    let directory = FileManager.default.temporaryDirectory.appending(path: "process-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outputURL = directory.appending(path: "stdout")
    let errorURL = directory.appending(path: "stderr")
    _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorURL)
    let (exits, exitContinuation) = AsyncStream.makeStream(of: Void.self)
    process.terminationHandler = { _ in exitContinuation.finish() }
    try process.run()
    for await _ in exits {}
    return ProcessResult(
        status: process.terminationStatus,
        standardOutput: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "",
        standardError: (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "")
}
