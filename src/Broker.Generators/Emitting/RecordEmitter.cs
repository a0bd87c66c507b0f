using System.Linq;
using Broker.Generators.Common;
using Broker.Generators.Model;

namespace Broker.Generators.Emitting;

/// <summary>Emits the Broker converters of a record type and, for log streams, the typed writer and subscription.</summary>
internal static class RecordEmitter
{
    public static string HintName(RecordModel model) => model.Type.HintStem + (model.Log is null ? ".BrokerRecord.g.cs" : ".LogStream.g.cs");

    public static string Emit(RecordModel model)
    {
        var type = model.Type;
        string self = type.QualifiedName;
        string t = KnownNames.Typed;
        var w = Wrapping.Begin(type);
        w.Open($"partial {type.Type.Keyword} {type.Type.Name}");

        w.Line("/// <summary>Converts this value to a Zeek record: a Broker vector with one element per field, nil for null fields.</summary>");
        w.Line("/// <returns>The Broker vector.</returns>");
        w.Open($"public {KnownNames.Data} ToBrokerData()");
        w.Line($"return {KnownNames.Data}.Vector(");
        w.Indentation++;
        for (int i = 0; i < model.Fields.Count; i++)
        {
            var f = model.Fields[i];
            w.Line(Conversions.Encode(f.Type, "this." + SourceWriter.Identifier(f.Name)) + (i == model.Fields.Count - 1 ? ");" : ","));
        }

        if (model.Fields.Count == 0)
        {
            w.Line(");");
        }

        w.Indentation--;
        w.Close();
        w.Line();
        w.Line("/// <summary>Converts a Zeek record (a Broker vector, nil for unset fields) to this type.</summary>");
        w.Line("/// <param name=\"data\">The Broker vector.</param>");
        w.Line("/// <returns>The value.</returns>");
        w.Line($"/// <exception cref=\"{t}.BrokerConversionException\">The value has the wrong shape or a field the wrong type.</exception>");
        w.Open($"public static {self} FromBrokerData({KnownNames.Data} data)");
        w.Line($"var __fields = {KnownNames.Convert}.RecordFields(data, {SourceWriter.Invariant(model.Fields.Count)}, {SourceWriter.Literal(type.FullName)});");
        w.Line(model.UsesConstructor ? $"return new {self}(" : $"return new {self}");
        if (!model.UsesConstructor)
        {
            w.Line("{");
        }

        w.Indentation++;
        for (int i = 0; i < model.Fields.Count; i++)
        {
            var f = model.Fields[i];
            string decode = Conversions.DecodeMember(f.Type, $"__fields[{SourceWriter.Invariant(i)}]", type.FullName, f.Name);
            bool last = i == model.Fields.Count - 1;
            w.Line(model.UsesConstructor
                ? decode + (last ? ");" : ",")
                : $"{SourceWriter.Identifier(f.Name)} = {decode},");
        }

        if (model.UsesConstructor && model.Fields.Count == 0)
        {
            w.Line(");");
        }

        w.Indentation--;
        if (!model.UsesConstructor)
        {
            w.Line("};");
        }

        w.Close();
        w.Line();
        EmitWrite(w, model);
        w.Line();
        EmitRead(w, model);

        if (model.Log is { } log)
        {
            w.Line();
            w.Line("/// <summary>The log stream this record type is written to.</summary>");
            w.Line($"public static {t}.LogStreamInfo BrokerLogStream {{ get; }} = new {t}.LogStreamInfo({SourceWriter.Literal(log.Id)}, {SourceWriter.Literal(log.Path)}, {SourceWriter.Literal(log.TopicPrefix)});");
            w.Line();
            w.Line("/// <summary>A writer that sends each record to peers (remote logging on for this stream).</summary>");
            w.Line("/// <param name=\"publisher\">The endpoint (or WebSocket client) to publish through.</param>");
            w.Line("/// <returns>The writer.</returns>");
            w.Line($"public static {t}.LogWriter<{self}> Writer({KnownNames.Publisher} publisher) =>");
            w.Line($"    new {t}.LogWriter<{self}>(publisher, BrokerLogStream, static ({self} __r, ref {KnownNames.Writer} __w) => __r.WriteBroker(ref __w), static __r => __r.ToBrokerData());");
            w.Line();
            w.Line("/// <summary>Receives this stream's records from peers as an async stream.</summary>");
            w.Line("/// <param name=\"endpoint\">The endpoint to subscribe on.</param>");
            w.Line("/// <param name=\"options\">Queue options and an error callback.</param>");
            w.Line("/// <returns>The subscription; dispose it to unsubscribe.</returns>");
            w.Line($"public static {t}.LogSubscription<{self}> Subscribe({KnownNames.Endpoint} endpoint, {t}.TypedSubscriptionOptions? options = null) =>");
            w.Line($"    new {t}.LogSubscription<{self}>(endpoint, BrokerLogStream, TryReadBroker, static __d => FromBrokerData(__d), options);");
        }

        w.Close();
        return Wrapping.End(w, type);
    }

    // The tree-free twin of ToBrokerData: the same bytes BrokerBinary.Encode(ToBrokerData()) gives, written field by
    // field (scalars and strings directly, nested records through their own writer, nil for null).
    private static void EmitWrite(SourceWriter w, RecordModel model)
    {
        w.Line("/// <summary>");
        w.Line("/// Writes this value as a Zeek record straight into <paramref name=\"writer\"/>: exactly the bytes of");
        w.Line("/// <c>BrokerBinary.Encode(ToBrokerData())</c>, without building the <see cref=\"global::Broker.Data.BrokerData\"/> tree.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"writer\">The destination.</param>");
        w.Open($"public void WriteBroker(ref {KnownNames.Writer} writer)");
        w.Line($"writer.WriteVectorHeader({SourceWriter.Invariant(model.Fields.Count)});");
        for (int i = 0; i < model.Fields.Count; i++)
        {
            var f = model.Fields[i];
            WriteField(w, f.Type, "this." + SourceWriter.Identifier(f.Name), "__f" + SourceWriter.Invariant(i));
        }

        w.Close();
    }

    private static void WriteField(SourceWriter w, TypeModel type, string value, string local)
    {
        switch (type.Kind)
        {
            case MappedKind.Nullable:
                var inner = type.Arguments[0];
                w.Open($"if ({value} is {{ }} {local})");
                WriteField(w, inner, local, local + "_");
                w.Close();
                w.Open("else");
                w.Line(DirectCodec.WriteNone);
                w.Close();
                break;
            case MappedKind.Record:
                w.Line($"{value}.WriteBroker(ref writer);");
                break;
            case MappedKind.String when !value.StartsWith("__", System.StringComparison.Ordinal):
                // The same error as ToBrokerData's for a null non-nullable string.
                w.Line($"writer.WriteString({value} ?? throw new global::System.ArgumentNullException(\"value\", \"A non-nullable member was null; declare it nullable (T?) to send nil.\"));");
                break;
            default:
                w.Line(DirectCodec.Write(type, value));
                break;
        }
    }

    // The tree-free twin of FromBrokerData: reads the record from the bytes, declining (false) whatever
    // FromBrokerData would not read the same way, so the caller falls back to it (and to its error).
    private static void EmitRead(SourceWriter w, RecordModel model)
    {
        string self = model.Type.QualifiedName;
        w.Line("/// <summary>");
        w.Line("/// Reads a Zeek record of this type straight from <paramref name=\"reader\"/>, without building a");
        w.Line("/// <see cref=\"global::Broker.Data.BrokerData\"/> tree. Returns false for anything <see cref=\"FromBrokerData\"/>");
        w.Line("/// would not read to the same value (another shape, a field of another kind or out of range, bytes beyond the");
        w.Line("/// default decode limits): the reader's position is then unspecified; decode the value and call");
        w.Line("/// <see cref=\"FromBrokerData\"/>, which reports the problem.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"reader\">The source, positioned at the record.</param>");
        w.Line("/// <param name=\"value\">The value when true is returned.</param>");
        w.Line("/// <returns>True when the record was read.</returns>");
        w.Open($"public static bool TryReadBroker(ref {KnownNames.Reader} reader, out {self} value)");
        w.Line("value = default!;");
        w.Open($"if (!reader.TryReadVectorHeader(out int __count) || __count != {SourceWriter.Invariant(model.Fields.Count)})");
        w.Line("return false;");
        w.Close();
        var locals = new System.Collections.Generic.List<string>();
        for (int i = 0; i < model.Fields.Count; i++)
        {
            string local = "__f" + SourceWriter.Invariant(i);
            ReadField(w, model.Fields[i].Type, local);
            locals.Add(local);
        }

        // A constructor or setter that throws is declined too: FromBrokerData raises it in its own order.
        w.Open("try");
        if (model.UsesConstructor)
        {
            w.Line($"value = new {self}({string.Join(", ", locals)});");
        }
        else
        {
            w.Line($"value = new {self}");
            w.Line("{");
            w.Indentation++;
            for (int i = 0; i < model.Fields.Count; i++)
            {
                w.Line($"{SourceWriter.Identifier(model.Fields[i].Name)} = {locals[i]},");
            }

            w.Indentation--;
            w.Line("};");
        }

        w.Close();
        w.Open("catch (global::System.Exception)");
        w.Line("return false;");
        w.Close();
        w.Line("return true;");
        w.Close();
    }

    // Declares `local` (of the field's type) and reads it, returning false from the reader where FromBrokerData
    // would read differently or throw.
    private static void ReadField(SourceWriter w, TypeModel type, string local)
    {
        var inner = type.Kind == MappedKind.Nullable ? type.Arguments[0] : null;
        var target = inner ?? type;
        var direct = DirectCodec.Read(target.Kind);
        if (direct is null && target.Kind != MappedKind.Record)
        {
            // Everything else: decoded and converted as FromBrokerData converts it, declining where it would throw.
            w.Open($"if (!{KnownNames.Convert}.TryReadMember<{type.Name}>(ref reader, static __v => {Conversions.Decode(type, "__v")}, out var {local}))");
            w.Line("return false;");
            w.Close();
            return;
        }

        var (method, range, cast) = direct ?? default;
        string raw = local + "_";
        string read = target.Kind == MappedKind.Record
            ? $"!{Conversions.TrimNullable(target.Name)}.TryReadBroker(ref reader, out var {raw})"
            : $"!reader.{method}(out var {raw}){(range is null ? "" : $" || {string.Format(range, raw)}")}";
        string convert = cast is null ? raw : $"({cast}){raw}";
        if (inner is null)
        {
            if (cast is null)
            {
                read = read.Replace("out var " + raw, "out var " + local).Replace(raw, local);
            }

            w.Open($"if ({read})");
            w.Line("return false;");
            w.Close();
            if (cast is not null)
            {
                w.Line($"var {local} = {convert};");
            }

            return;
        }

        // Nil is null, as in FromBrokerData.
        w.Line($"{type.Name} {local};");
        w.Open("if (reader.TryReadNone())");
        w.Line($"{local} = null;");
        w.Close();
        w.Open($"else if ({read})");
        w.Line("return false;");
        w.Close();
        w.Open("else");
        w.Line($"{local} = {convert};");
        w.Close();
    }
}
