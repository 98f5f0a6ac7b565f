using Perplex.Cli;

return CliRunner.Invoke(CliApp.CreateRoot(), args);
