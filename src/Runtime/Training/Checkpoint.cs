using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelDsl.Runtime.Training;

/// <summary>A tensor copied to the CPU as raw little-endian bytes, with its name, dtype name and shape.</summary>
public sealed record TensorData(string Name, string DType, long[] Shape, byte[] Data)
{
    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}

/// <summary>The weights of a model, in registration order, as <see cref="SequentialModel.GetWeights"/> returns them.</summary>
public sealed record ModelWeights(IReadOnlyList<TensorData> Tensors);

/// <summary>Where training stood when a checkpoint was written, so <see cref="FitOptions.Resume"/> can continue from it.</summary>
public sealed record TrainingState(
    int CompletedEpochs,
    long GlobalStep,
    long Seed,
    string Optimizer,
    IReadOnlyDictionary<string, double> OptimizerScalars,
    IReadOnlyList<TensorData> OptimizerTensors,
    string HistoryJson);

/// <summary>
/// Our own checkpoint format, readable without libtorch: the 8 bytes <c>MDSLCKPT</c>, a little-endian int32 version,
/// an int32 byte count and that many bytes of UTF-8 JSON (model name, tensor names, dtypes, shapes, offsets, training
/// state), then the tensors' raw bytes. Written to a temporary file and renamed, so a crash never leaves half of one.
/// </summary>
public sealed record Checkpoint(string ModelName, ModelWeights Weights, TrainingState? Training)
{
    public const string Extension = ".ckpt";
    private static readonly byte[] Magic = "MDSLCKPT"u8.ToArray();
    private const int Version = 1;

    public void Save(string path) => AtomicFile.Write(path, Write);

    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such checkpoint", path);
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Read(bytes);
        }
        // A malformed header: bad JSON, or a value of the wrong JSON type.
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a readable ModelDsl checkpoint ({e.Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private void Write(Stream stream)
    {
        var blobs = new List<byte[]>();
        long offset = 0;
        JsonArray Describe(IEnumerable<TensorData> tensors)
        {
            var array = new JsonArray();
            foreach (var tensor in tensors)
            {
                array.Add(new JsonObject
                {
                    ["name"] = tensor.Name,
                    ["dtype"] = tensor.DType,
                    ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                    ["offset"] = offset,
                    ["length"] = tensor.Data.LongLength,
                });
                blobs.Add(tensor.Data);
                offset += tensor.Data.LongLength;
            }
            return array;
        }

        var header = new JsonObject { ["model"] = ModelName, ["weights"] = Describe(Weights.Tensors) };
        if (Training is { } state)
        {
            var scalars = new JsonObject();
            foreach (var (key, value) in state.OptimizerScalars)
                scalars[key] = value;
            header["training"] = new JsonObject
            {
                ["completed_epochs"] = state.CompletedEpochs,
                ["global_step"] = state.GlobalStep,
                ["seed"] = state.Seed,
                ["optimizer"] = state.Optimizer,
                ["optimizer_scalars"] = scalars,
                ["optimizer_tensors"] = Describe(state.OptimizerTensors),
                ["history"] = JsonNode.Parse(state.HistoryJson),
            };
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        Span<byte> prefix = stackalloc byte[8];
        stream.Write(Magic);
        BinaryPrimitives.WriteInt32LittleEndian(prefix, Version);
        BinaryPrimitives.WriteInt32LittleEndian(prefix[4..], json.Length);
        stream.Write(prefix);
        stream.Write(json);
        foreach (var blob in blobs)
            stream.Write(blob);
    }

    private static Checkpoint Read(byte[] bytes)
    {
        if (bytes.Length < 16 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException("not a ModelDsl checkpoint (no MDSLCKPT header)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (version != Version)
            throw new InvalidDataException($"checkpoint version {version}; this runtime reads version {Version}");
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (length < 0 || 16L + length > bytes.Length)
            throw new InvalidDataException("truncated checkpoint header");
        var header = JsonNode.Parse(bytes.AsSpan(16, length)) as JsonObject
                     ?? throw new InvalidDataException("the checkpoint header is not a JSON object");
        int dataStart = 16 + length;

        List<TensorData> Tensors(JsonNode? node) => Required(node).AsArray().Select(entry =>
        {
            var name = Required(entry?["name"]).GetValue<string>();
            long offset = Required(entry!["offset"]).GetValue<long>();
            long size = Required(entry["length"]).GetValue<long>();
            if (offset < 0 || size < 0 || dataStart + offset + size > bytes.Length)
                throw new InvalidDataException($"truncated checkpoint: tensor '{name}' lies past the end of the file");
            return new TensorData(
                name,
                Required(entry["dtype"]).GetValue<string>(),
                Required(entry["shape"]).AsArray().Select(d => Required(d).GetValue<long>()).ToArray(),
                bytes.AsSpan(dataStart + (int)offset, (int)size).ToArray());
        }).ToList();

        TrainingState? training = null;
        if (header["training"] is JsonObject state)
        {
            training = new TrainingState(
                Required(state["completed_epochs"]).GetValue<int>(),
                Required(state["global_step"]).GetValue<long>(),
                Required(state["seed"]).GetValue<long>(),
                Required(state["optimizer"]).GetValue<string>(),
                Required(state["optimizer_scalars"]).AsObject().ToDictionary(p => p.Key, p => Required(p.Value).GetValue<double>()),
                Tensors(state["optimizer_tensors"]),
                Required(state["history"]).ToJsonString());
        }
        return new Checkpoint(Required(header["model"]).GetValue<string>(), new ModelWeights(Tensors(header["weights"])), training);
    }

    private static JsonNode Required(JsonNode? node) =>
        node ?? throw new InvalidDataException("the checkpoint header lacks an entry it needs");
}
