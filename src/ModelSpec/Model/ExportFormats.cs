namespace ModelDsl.Spec;

/// <summary>
/// The formats a model asks to be exported to: <c>export: onnx</c> (or the list form <c>export: [onnx]</c>) in a
/// model file, <c>[SequentialModel(Export = "onnx")]</c> in the attribute form. Only a format asked for turns on
/// its compile-time checks, so a model that never exports gets no export diagnostics.
/// </summary>
[Flags]
public enum ExportFormats
{
    /// <summary>No <c>export</c>: the model is trained and run through TorchSharp only.</summary>
    None = 0,

    /// <summary>ONNX, for serving with ONNX Runtime without libtorch.</summary>
    Onnx = 1,
}
