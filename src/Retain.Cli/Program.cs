using Retain.Cli;
using Retain.Hosting.Lifetime;

// Only the real process gets the exit hooks: tests call RetainCommand.Run in their own process.
UnfinishedWork.Install(Console.Error);
return RetainCommand.Run(args);
