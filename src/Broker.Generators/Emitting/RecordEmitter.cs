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
            w.Line($"    new {t}.LogWriter<{self}>(publisher, BrokerLogStream, static __r => __r.ToBrokerData());");
            w.Line();
            w.Line("/// <summary>Receives this stream's records from peers as an async stream.</summary>");
            w.Line("/// <param name=\"endpoint\">The endpoint to subscribe on.</param>");
            w.Line("/// <param name=\"options\">Queue options and an error callback.</param>");
            w.Line("/// <returns>The subscription; dispose it to unsubscribe.</returns>");
            w.Line($"public static {t}.LogSubscription<{self}> Subscribe({KnownNames.Endpoint} endpoint, {t}.TypedSubscriptionOptions? options = null) =>");
            w.Line($"    new {t}.LogSubscription<{self}>(endpoint, BrokerLogStream, static __d => FromBrokerData(__d), options);");
        }

        w.Close();
        return Wrapping.End(w, type);
    }
}
