using Retain.Cli;

return RetainCommand.Run(args);
