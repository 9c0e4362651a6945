using Retain.Cli;
using Retain.Hosting.Lifetime;
using Retain.Hosting.Plugins;

// Plugins run in-process: an exception on a thread a plugin started cannot be caught by a command. Name the plugin and
// exit 1 instead of letting the runtime print its trace and abort (a stack overflow still cannot be intercepted).
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    var exception = e.ExceptionObject as Exception;
    Console.Error.WriteLine("error: " + (exception is null ? $"unexpected failure: {e.ExceptionObject}" : PluginFaults.Describe(exception)));
    if (Environment.GetEnvironmentVariable("RETAIN_DEBUG") is not null) Console.Error.WriteLine(e.ExceptionObject);
    Console.Error.Flush();
    Environment.Exit(ExitCodes.Failed);
};

// Only the real process gets the exit hooks: tests call RetainCommand.Run in their own process.
UnfinishedWork.Install(Console.Error);
return RetainCommand.Run(args);
