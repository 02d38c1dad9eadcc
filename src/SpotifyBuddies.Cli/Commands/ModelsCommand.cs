using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SpotifyBuddies.Cli.Composition;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Cli.Commands;

/// <summary><c>buddies models list|alias</c>: the model registry (local tracker or MLflow) and its aliases.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var models = new Command(
            "models",
            "The model registry: registered models, their numbered versions (each from a training run's model directory) " +
            $"and the aliases that pick one version each ({ModelAliases.Champion}, {ModelAliases.Canary}, {ModelAliases.Staging}, or any other).");
        models.Add(CreateList());
        models.Add(CreateAlias());
        return models;
    }

    private static Command CreateList()
    {
        var store = TrackingOptions.Create();
        var json = CommonOptions.Json();
        var command = new Command("list", "List the registered models with their versions: version, run id, created, aliases and source.") { json };
        store.AddLocationsTo(command);

        TrackedAction.Set(command, async (parse, cancellationToken) =>
        {
            using var backends = store.Open(parse, TrackingUse.Reading);
            var registry = backends.RequiredRegistry;
            var models = new List<(RegisteredModel Model, IReadOnlyList<ModelVersion> Versions)>();
            foreach (var model in await registry.ListModelsAsync(cancellationToken))
            {
                models.Add((model, await registry.ListVersionsAsync(model.Name, cancellationToken)));
            }

            var ui = ConsoleUi.Create(parse.GetValue(json));
            if (ui.Json)
            {
                ui.WriteJson(models.Select(m => new
                {
                    m.Model.Name,
                    m.Model.Description,
                    m.Model.CreatedAt,
                    m.Model.UpdatedAt,
                    m.Model.Aliases,
                    m.Versions,
                }));
            }
            else
            {
                RunsCommand.WidenWhenRedirected(ui);
                ui.Out.Write(ListTable(models, backends.TrackerDescription));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateAlias()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var alias = new Argument<string>("alias")
        {
            Description = $"The alias: {ModelAliases.Champion} (serving), {ModelAliases.Canary} (a share of traffic), " +
                          $"{ModelAliases.Staging} (the newest trained), or any name of letters, digits, '_' and '-'.",
        };
        var version = new Argument<string?>("version")
        {
            Description = "The version to point the alias at; without it (and without --delete) the command shows the alias.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var delete = new Option<bool>("--delete") { Description = "Remove the alias (removing an unset alias is not an error)." };
        var store = TrackingOptions.Create();
        var json = CommonOptions.Json();
        var command = new Command(
            "alias",
            "Show, set or remove a model alias: 'models alias NAME ALIAS' shows the version it points at (exit 1 when unset), " +
            "'models alias NAME ALIAS VERSION' points it at VERSION (moving it from any other), 'models alias NAME ALIAS --delete' removes it.")
        {
            name, alias, version, delete, json,
        };
        store.AddLocationsTo(command);

        TrackedAction.Set(command, async (parse, cancellationToken) =>
        {
            var model = parse.GetValue(name)!;
            var aliasName = parse.GetValue(alias)!;
            var target = parse.GetValue(version);
            var remove = parse.GetValue(delete);
            if (remove && target is not null)
            {
                throw new CommandAction.InvalidInputException("give either a VERSION (to set the alias) or --delete, not both");
            }

            using var backends = store.Open(parse, TrackingUse.Reading);
            var registry = backends.RequiredRegistry;
            var ui = ConsoleUi.Create(parse.GetValue(json));
            if (!(await registry.ListModelsAsync(cancellationToken)).Any(m => m.Name == model))
            {
                throw new CommandAction.InvalidInputException($"no registered model '{model}' in {backends.TrackerDescription}");
            }

            if (remove)
            {
                await registry.DeleteAliasAsync(model, aliasName, cancellationToken);
                Report(ui, new { Name = model, Alias = aliasName, Version = (string?)null }, $"{Markup.Escape(model)}@{Markup.Escape(aliasName)} removed");
                return ExitCodes.Ok;
            }

            if (target is not null)
            {
                await registry.SetAliasAsync(model, aliasName, target, cancellationToken);
            }

            var current = await registry.GetVersionByAliasAsync(model, aliasName, cancellationToken)
                ?? throw new CommandAction.InvalidInputException($"model '{model}' has no alias '{aliasName}'");
            if (ui.Json)
            {
                ui.WriteJson(new { Name = model, Alias = aliasName, current.Version, Model = current });
            }
            else
            {
                ui.Out.MarkupLine($"{Markup.Escape(model)}@{Markup.Escape(aliasName)} → version [bold]{Markup.Escape(current.Version)}[/]" +
                    $" [grey](run {Markup.Escape(current.RunId ?? "none")}, {Markup.Escape(current.Source)})[/]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Report<T>(ConsoleUi ui, T json, string markup)
    {
        if (ui.Json)
        {
            ui.WriteJson(json);
        }
        else
        {
            ui.Out.MarkupLine(markup);
        }
    }

    private static Table ListTable(List<(RegisteredModel Model, IReadOnlyList<ModelVersion> Versions)> models, string where)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Registered models[/]")
            .AddColumn("model").AddColumn(new TableColumn("version").RightAligned()).AddColumn("run id")
            .AddColumn("created").AddColumn("aliases").AddColumn(new TableColumn("source").NoWrap());
        foreach (var (model, versions) in models)
        {
            if (versions.Count == 0)
            {
                table.AddRow(Markup.Escape(model.Name), "", "", "", "", "[grey]no versions[/]");
            }

            foreach (var version in versions)
            {
                table.AddRow(
                    Markup.Escape(model.Name),
                    Markup.Escape(version.Version),
                    Markup.Escape(version.RunId ?? ""),
                    Markup.Escape(version.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    Markup.Escape(string.Join(", ", version.Aliases.Order(StringComparer.Ordinal))),
                    Markup.Escape(version.Source));
            }
        }

        return table.Caption($"[grey]{models.Count} model(s) · {Markup.Escape(where)} · set an alias: buddies models alias NAME ALIAS VERSION[/]");
    }
}
