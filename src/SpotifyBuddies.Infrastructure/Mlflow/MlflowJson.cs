using System.Text.Json.Serialization;

namespace SpotifyBuddies.Infrastructure.Mlflow;

// The JSON of MLflow's REST API (service.proto, model_registry.proto, mlflow_artifacts.proto): snake_case fields,
// int64 as numbers, enums by name. Empty repeated fields are omitted by the server, so every list is nullable.

internal sealed record MlflowError(string? ErrorCode, string? Message);

internal sealed record KeyValueJson(string Key, string Value);

internal sealed record MetricJson(string Key, double Value, long Timestamp, long Step);

internal sealed record ExperimentJson(
    string ExperimentId,
    string Name,
    string? ArtifactLocation,
    string? LifecycleStage,
    long? LastUpdateTime,
    long? CreationTime,
    List<KeyValueJson>? Tags);

internal sealed record ExperimentResponse(ExperimentJson? Experiment);

internal sealed record CreateExperimentRequest(string Name);

internal sealed record CreateExperimentResponse(string? ExperimentId);

internal sealed record ExperimentIdRequest(string ExperimentId);

internal sealed record RunInfoJson(
    string? RunId,
    string? RunUuid,
    string? ExperimentId,
    string? RunName,
    string? UserId,
    string? Status,
    long? StartTime,
    long? EndTime,
    string? ArtifactUri,
    string? LifecycleStage);

internal sealed record RunDataJson(List<MetricJson>? Metrics, List<KeyValueJson>? Params, List<KeyValueJson>? Tags);

internal sealed record RunJson(RunInfoJson? Info, RunDataJson? Data);

internal sealed record RunResponse(RunJson? Run);

internal sealed record CreateRunRequest(string ExperimentId, string? UserId, string? RunName, long StartTime, List<KeyValueJson> Tags);

internal sealed record UpdateRunRequest(string RunId, string Status, long? EndTime);

internal sealed record UpdateRunResponse(RunInfoJson? RunInfo);

internal sealed record LogBatchRequest(string RunId, List<MetricJson>? Metrics, List<KeyValueJson>? Params, List<KeyValueJson>? Tags);

internal sealed record EmptyResponse;

internal sealed record SearchRunsRequest(
    List<string> ExperimentIds,
    string? Filter,
    string RunViewType,
    int MaxResults,
    List<string>? OrderBy,
    string? PageToken);

internal sealed record SearchRunsResponse(List<RunJson>? Runs, string? NextPageToken);

internal sealed record MetricHistoryResponse(List<MetricJson>? Metrics, string? NextPageToken);

internal sealed record ArtifactFileJson(string Path, bool IsDir, long? FileSize);

internal sealed record ListArtifactsResponse(List<ArtifactFileJson>? Files);

internal sealed record AliasJson(string Alias, string Version);

internal sealed record RegisteredModelJson(
    string Name,
    long? CreationTimestamp,
    long? LastUpdatedTimestamp,
    string? Description,
    List<AliasJson>? Aliases,
    List<KeyValueJson>? Tags);

internal sealed record RegisteredModelResponse(RegisteredModelJson? RegisteredModel);

internal sealed record SearchRegisteredModelsResponse(List<RegisteredModelJson>? RegisteredModels, string? NextPageToken);

internal sealed record CreateRegisteredModelRequest(string Name, string? Description);

internal sealed record ModelVersionJson(
    string Name,
    string Version,
    long? CreationTimestamp,
    long? LastUpdatedTimestamp,
    string? Description,
    string? Source,
    string? RunId,
    string? Status,
    string? StatusMessage,
    List<KeyValueJson>? Tags,
    List<string>? Aliases);

internal sealed record ModelVersionResponse(ModelVersionJson? ModelVersion);

internal sealed record SearchModelVersionsResponse(List<ModelVersionJson>? ModelVersions, string? NextPageToken);

internal sealed record CreateModelVersionRequest(string Name, string Source, string? RunId, List<KeyValueJson>? Tags, string? Description);

internal sealed record SetAliasRequest(string Name, string Alias, string Version);

internal sealed record DeleteAliasRequest(string Name, string Alias);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(MlflowError))]
[JsonSerializable(typeof(ExperimentResponse))]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(CreateExperimentResponse))]
[JsonSerializable(typeof(ExperimentIdRequest))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(UpdateRunRequest))]
[JsonSerializable(typeof(UpdateRunResponse))]
[JsonSerializable(typeof(LogBatchRequest))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(SearchRunsRequest))]
[JsonSerializable(typeof(SearchRunsResponse))]
[JsonSerializable(typeof(MetricHistoryResponse))]
[JsonSerializable(typeof(MetricJson))]
[JsonSerializable(typeof(KeyValueJson))]
[JsonSerializable(typeof(ListArtifactsResponse))]
[JsonSerializable(typeof(RegisteredModelResponse))]
[JsonSerializable(typeof(SearchRegisteredModelsResponse))]
[JsonSerializable(typeof(CreateRegisteredModelRequest))]
[JsonSerializable(typeof(ModelVersionResponse))]
[JsonSerializable(typeof(SearchModelVersionsResponse))]
[JsonSerializable(typeof(CreateModelVersionRequest))]
[JsonSerializable(typeof(SetAliasRequest))]
[JsonSerializable(typeof(DeleteAliasRequest))]
internal sealed partial class MlflowJson : JsonSerializerContext;
