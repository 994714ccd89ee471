namespace ModelDsl.Runtime.Training;

/// <summary>What a generated <c>Train()</c> returns: the trained model and its history.</summary>
public sealed record TrainingResult<TModel>(TModel Model, History History) where TModel : SequentialModel;
