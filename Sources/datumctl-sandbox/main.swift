import DatumSandbox

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

exit(SandboxCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
