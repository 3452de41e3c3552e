// grok-plugin-host: loads one plugin library and serves it on stdin/stdout (see GrokPlugins).
// Started by grokd, one process per plugin:
//   grok-plugin-host [--max-memory-mb N] [--max-files N] [--cpu-seconds N] LIBRARY
import Foundation
import GrokPlugins

var limits = HostLimits()
var arguments = Array(CommandLine.arguments.dropFirst())
func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("grok-plugin-host: \(message)\nusage: grok-plugin-host [--max-memory-mb N] [--max-files N] [--cpu-seconds N] LIBRARY\n".utf8))
    exit(64)
}
while arguments.count > 1 {
    let option = arguments.removeFirst()
    guard let value = Int(arguments.removeFirst()), value >= 0 else { usage("\(option) needs a number") }
    switch option {
    case "--max-memory-mb": limits.addressSpaceBytes = value << 20
    case "--max-files": limits.openFiles = max(16, value)
    case "--cpu-seconds": limits.cpuSecondsPerCall = value
    default: usage("unknown option \(option)")
    }
}
guard let path = arguments.first else { usage("no plugin library given") }
limits.apply()
let library: PluginLibrary
do {
    library = try PluginLibrary(path: path)
} catch {
    FileHandle.standardError.write(Data("error: refused \(path): \(error.description)\n".utf8))
    exit(65)
}
exit(PluginHostServer(library: library, limits: limits).run())
