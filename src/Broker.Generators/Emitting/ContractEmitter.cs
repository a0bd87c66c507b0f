using System.Collections.Generic;
using System.Linq;
using System.Text;
using Broker.Generators.Common;
using Broker.Generators.Model;

namespace Broker.Generators.Emitting;

/// <summary>
/// Emits, for one event contract interface: the contract description with its dispatch table, and the
/// publisher / auto-publisher proxy (one class; the auto-publisher has a local handler).
/// </summary>
internal static class ContractEmitter
{
    public static string HintName(ContractModel model) => model.Type.HintStem + ".BrokerEvents.g.cs";

    public static string Emit(ContractModel model)
    {
        var type = model.Type;
        string self = type.QualifiedName;
        string proxy = ProxyName(type);
        string t = KnownNames.Typed;
        string @new = model.HidesBaseContract ? "new " : ""; // a base interface is a contract too and has the same static members
        var w = Wrapping.Begin(type);

        w.Open($"partial {type.Type.Keyword} {type.Type.Name}");
        w.Line("/// <summary>The topic prefix of this event contract.</summary>");
        w.Line($"public {@new}const string BrokerTopicPrefix = {SourceWriter.Literal(model.TopicPrefix)};");
        w.Line();
        w.Line("/// <summary>The contract's run-time description: subscription prefixes and the generated dispatch table.</summary>");
        w.Line($"public {@new}static {t}.EventContract<{self}> BrokerContract {{ get; }} = new {t}.EventContract<{self}>(");
        w.Indentation++;
        w.Line($"{SourceWriter.Literal(type.FullName)},");
        w.Line($"{KnownNames.ImmutableArray}.Create<string>({string.Join(", ", model.SubscriptionPrefixes.Select(SourceWriter.Literal))}),");
        w.Line($"{KnownNames.ImmutableArray}.Create<string>({string.Join(", ", model.Events.Select(e => SourceWriter.Literal(e.EventName)))}),");
        w.Line("__BrokerDispatch,");
        w.Line("__BrokerRead);");
        w.Indentation--;
        w.Line();
        w.Line("/// <summary>A proxy whose every call publishes the event to peers on its topic.</summary>");
        w.Line("/// <param name=\"publisher\">The endpoint (or WebSocket client) to publish through.</param>");
        w.Line("/// <returns>The publisher.</returns>");
        w.Line($"public {@new}static {self} Publisher({KnownNames.Publisher} publisher) => new {proxy}(publisher, null);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// A proxy that raises events locally: every call runs <paramref name=\"local\"/>, and calls of events declared");
        w.Line("/// with <c>AutoPublish = true</c> are also published to peers (Zeek's <c>Broker::auto_event</c>).");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"publisher\">The endpoint (or WebSocket client) to publish through.</param>");
        w.Line("/// <param name=\"local\">The local handlers.</param>");
        w.Line("/// <returns>The auto-publisher.</returns>");
        w.Line($"public static {self} AutoPublisher({KnownNames.Publisher} publisher, {self} local) => new {proxy}(publisher, local ?? throw new global::System.ArgumentNullException(nameof(local)));");
        w.Line();
        w.Line("/// <summary>Subscribes <paramref name=\"handler\"/> to this contract's events; mismatched events become error events.</summary>");
        w.Line("/// <param name=\"endpoint\">The endpoint to subscribe on.</param>");
        w.Line("/// <param name=\"handler\">The handler implementation.</param>");
        w.Line("/// <param name=\"options\">Queue options and an error callback.</param>");
        w.Line("/// <returns>The running registration; dispose it to unsubscribe.</returns>");
        w.Line($"public static {t}.EventHandlerRegistration Subscribe({KnownNames.Endpoint} endpoint, {self} handler, {t}.TypedSubscriptionOptions? options = null) =>");
        w.Line($"    {t}.EventHandlerRegistration.Start(endpoint, BrokerContract, handler, options);");
        w.Line();
        EmitDispatch(w, model);
        w.Line();
        EmitRead(w, model);
        w.Close();
        Wrapping.EndContaining(w, type);
        w.Line();
        EmitProxy(w, model, proxy); // file-local types must be top-level
        return Wrapping.EndNamespace(w, type);
    }

    private static string ProxyName(HierarchyInfo type)
    {
        var name = new StringBuilder("__");
        foreach (var outer in type.Containing)
        {
            name.Append(outer.Name).Append('_');
        }

        return name.Append(type.Type.Name).Append("_BrokerProxy").ToString();
    }

    private static void EmitDispatch(SourceWriter w, ContractModel model)
    {
        w.Open($"private static global::System.Threading.Tasks.ValueTask<bool> __BrokerDispatch({model.Type.QualifiedName} handler, {KnownNames.ZeekEvent} zeekEvent)");
        w.Open("switch (zeekEvent.Name)");
        foreach (var e in model.Events)
        {
            w.Line($"case {SourceWriter.Literal(e.EventName)}:");
            w.Open("");
            string signature = $"{e.EventName}({string.Join(", ", e.Parameters.Select(p => p.Type.Display + " " + p.Name))})";
            string args = e.Parameters.Count == 0 ? "_" : "var __args";
            w.Line($"{args} = {KnownNames.Convert}.Arguments(zeekEvent, {SourceWriter.Invariant(e.Parameters.Count)}, {SourceWriter.Literal(signature)});");
            var call = new StringBuilder();
            for (int i = 0; i < e.Parameters.Count; i++)
            {
                var p = e.Parameters[i];
                string local = "__a" + SourceWriter.Invariant(i);
                w.Line($"var {local} = {Conversions.DecodeMember(p.Type, $"__args[{SourceWriter.Invariant(i)}]", e.EventName, p.Name)};");
                call.Append(i == 0 ? "" : ", ").Append(local);
            }

            string invocation = $"(({e.DeclaringInterface})handler).{SourceWriter.Identifier(e.MethodName)}({call})";
            if (e.Return == ReturnKind.Void)
            {
                w.Line(invocation + ";");
                w.Line($"return {KnownNames.Typed}.EventDispatch.Handled;");
            }
            else
            {
                w.Line($"return {KnownNames.Typed}.EventDispatch.After({invocation});");
            }

            w.Close();
        }

        w.Line("default:");
        w.Line($"    return {KnownNames.Typed}.EventDispatch.NotDeclared;");
        w.Close();
        w.Close();
    }

    // The tree-free twin of the dispatch table: reads a declared event's arguments straight from the bytes with
    // BrokerReader, declining (false, before any handler runs) whatever the dispatch table would read differently.
    private static void EmitRead(SourceWriter w, ContractModel model)
    {
        string t = KnownNames.Typed;
        w.Open($"private static bool __BrokerRead({model.Type.QualifiedName} handler, global::System.ReadOnlySpan<byte> payload, out global::System.Threading.Tasks.ValueTask<bool> handled)");
        w.Line("handled = default;");
        w.Line($"var __r = new {KnownNames.Reader}(payload);");
        w.Open("if (!__r.TryReadZeekEventHeader(out var __name, out int __argc, out bool __meta))");
        w.Line("return false;");
        w.Close();
        foreach (var e in model.Events)
        {
            w.Line();
            w.Open($"if (global::System.MemoryExtensions.SequenceEqual(__name, {SourceWriter.Literal(e.EventName)}u8))");
            w.Open($"if (__argc != {SourceWriter.Invariant(e.Parameters.Count)})");
            w.Line("return false;");
            w.Close();

            // Read in wire order; values without a direct reader are decoded and converted after the metadata
            // check, so a malformed event is declined before any conversion error is raised.
            var conversions = new List<string>();
            var call = new StringBuilder();
            for (int i = 0; i < e.Parameters.Count; i++)
            {
                var p = e.Parameters[i];
                string n = SourceWriter.Invariant(i);
                string local = "__a" + n;
                switch (DirectCodec.Read(p.Type.Kind))
                {
                    case var (method, range, cast):
                        string raw = cast is null ? local : "__v" + n;
                        w.Open($"if (!__r.{method}(out var {raw}){(range is null ? "" : $" || {string.Format(range, raw)}")})");
                        w.Line("return false;");
                        w.Close();
                        if (cast is not null)
                        {
                            conversions.Add($"var {local} = ({cast}){raw};");
                        }

                        break;
                    case null when p.Type.Kind == MappedKind.Record:
                        // Records read themselves, declining what FromBrokerData would not read the same way.
                        w.Open($"if (!{Conversions.TrimNullable(p.Type.Name)}.TryReadBroker(ref __r, out var {local}))");
                        w.Line("return false;");
                        w.Close();
                        break;
                    case null when p.Type.Kind == MappedKind.Nullable && p.Type.Arguments[0].Kind == MappedKind.Record:
                        w.Line($"{p.Type.Name} {local} = null;");
                        w.Open("if (!__r.TryReadNone())");
                        w.Open($"if (!{Conversions.TrimNullable(p.Type.Arguments[0].Name)}.TryReadBroker(ref __r, out var __v{n}))");
                        w.Line("return false;");
                        w.Close();
                        w.Line($"{local} = __v{n};");
                        w.Close();
                        break;
                    default:
                        w.Line($"var __value{n} = __r.ReadData();");
                        conversions.Add($"var {local} = {Conversions.DecodeMember(p.Type, "__value" + n, e.EventName, p.Name)};");
                        break;
                }

                call.Append(i == 0 ? "" : ", ").Append(local);
            }

            w.Open("if (__meta && !__r.TrySkipZeekEventMetadata())");
            w.Line("return false;");
            w.Close();
            foreach (string conversion in conversions)
            {
                w.Line(conversion);
            }

            string invocation = $"(({e.DeclaringInterface})handler).{SourceWriter.Identifier(e.MethodName)}({call})";
            if (e.Return == ReturnKind.Void)
            {
                w.Line(invocation + ";");
                w.Line($"handled = {t}.EventDispatch.Handled;");
            }
            else
            {
                w.Line($"handled = {t}.EventDispatch.After({invocation});");
            }

            w.Line("return true;");
            w.Close();
        }

        w.Line();
        w.Line($"return {t}.EventDispatch.SkipUndeclared(ref __r, __argc, __meta, out handled);");
        w.Close();
    }

    private static void EmitProxy(SourceWriter w, ContractModel model, string proxy)
    {
        string self = model.Type.QualifiedName;
        w.Line($"/// <summary>Publisher and auto-publisher of <see cref=\"{self}\"/>.</summary>");
        w.Open($"file sealed class {proxy} : {self}");
        w.Line($"private readonly {KnownNames.Publisher} _publisher;");
        w.Line($"private readonly {self}? _local;");
        w.Line();
        w.Open($"public {proxy}({KnownNames.Publisher} publisher, {self}? local)");
        w.Line("_publisher = publisher ?? throw new global::System.ArgumentNullException(nameof(publisher));");
        w.Line("_local = local;");
        w.Close();
        int index = -1;
        foreach (var e in model.Events)
        {
            index++;
            w.Line();
            EmitPayload(w, e, index);
            w.Line();
            string returns = e.Return switch
            {
                ReturnKind.Task => "global::System.Threading.Tasks.Task",
                ReturnKind.ValueTask => "global::System.Threading.Tasks.ValueTask",
                _ => "void",
            };
            string parameters = string.Join(", ", e.Parameters.Select(p => p.Type.Name + " " + SourceWriter.Identifier(p.Name)));
            string arguments = string.Join(", ", e.Parameters.Select(p => SourceWriter.Identifier(p.Name)));
            w.Open($"{returns} {e.DeclaringInterface}.{SourceWriter.Identifier(e.MethodName)}({parameters})");
            string publish = $"_publisher.Publish({SourceWriter.Literal(e.Topic)}, new {PayloadName(e, index)}({arguments}));";
            string localCall = $"(({e.DeclaringInterface})_local).{SourceWriter.Identifier(e.MethodName)}({arguments})";
            string done = e.Return switch
            {
                ReturnKind.Task => "return global::System.Threading.Tasks.Task.CompletedTask;",
                ReturnKind.ValueTask => "return default;",
                _ => "return;",
            };
            string localTail = e.Return == ReturnKind.Void ? localCall + ";" : "return " + localCall + ";";
            if (e.AutoPublish)
            {
                // Broker::auto_event: the event goes to peers and to the local handlers.
                w.Line(publish);
                w.Open("if (_local is null)");
                w.Line(done);
                w.Close();
                w.Line(localTail);
            }
            else
            {
                w.Open("if (_local is null)");
                w.Line(publish);
                w.Line(done);
                w.Close();
                w.Line(localTail);
            }

            w.Close();
        }

        w.Close();
    }

    private static string PayloadName(EventModel e, int index) => "__Event" + SourceWriter.Invariant(index) + "_" + e.MethodName;

    // The event as a value that writes itself: publishing encodes the arguments straight into the frame (strings
    // transcoded in place) and builds the BrokerData tree only for local deliveries that need one. Arguments whose
    // conversion can fail (nulls, enums, records, collections) are converted in the constructor, so a bad argument
    // throws from the call whether or not anyone receives it.
    private static void EmitPayload(SourceWriter w, EventModel e, int index)
    {
        string name = PayloadName(e, index);
        string eventName = SourceWriter.Literal(e.EventName);
        var parameters = e.Parameters;
        w.Line($"/// <summary>The <c>{e.EventName}</c> event with its arguments, written without a BrokerData tree.</summary>");
        w.Open($"private readonly struct {name} : global::Broker.Serialization.IBrokerValue");
        w.Line($"private static readonly byte[] s_name = global::System.Text.Encoding.UTF8.GetBytes({eventName});");
        for (int i = 0; i < parameters.Count; i++)
        {
            var type = parameters[i].Type;
            w.Line($"private readonly {(IsDirect(type) ? type.Name : KnownNames.Data)} _{SourceWriter.Invariant(i)};");
        }

        if (parameters.Count > 0)
        {
            w.Line();
            w.Open($"public {name}({string.Join(", ", parameters.Select((p, i) => p.Type.Name + " a" + SourceWriter.Invariant(i)))})");
            for (int i = 0; i < parameters.Count; i++)
            {
                var type = parameters[i].Type;
                string arg = "a" + SourceWriter.Invariant(i);
                string value = type.Kind == MappedKind.String
                    ? $"{arg} ?? throw new global::System.ArgumentNullException({SourceWriter.Literal(parameters[i].Name)}, \"A non-nullable member was null; declare it nullable (T?) to send nil.\")"
                    : IsDirect(type) ? arg : Conversions.Encode(type, arg);
                w.Line($"_{SourceWriter.Invariant(i)} = {value};");
            }

            w.Close();
        }

        w.Line();
        w.Open("public void WriteTo(ref global::Broker.Serialization.BrokerWriter writer)");
        w.Line($"writer.WriteZeekEventHeader(s_name, {SourceWriter.Invariant(parameters.Count)});");
        for (int i = 0; i < parameters.Count; i++)
        {
            w.Line(WriteArgument(parameters[i].Type, "_" + SourceWriter.Invariant(i)));
        }

        w.Close();
        w.Line();
        w.Line($"public {KnownNames.Data} ToBrokerData() => {KnownNames.ZeekEvent}.Encode({eventName}, {KnownNames.ImmutableArray}.Create<{KnownNames.Data}>({string.Join(", ", parameters.Select((p, i) => IsDirect(p.Type) ? Conversions.Encode(p.Type, "_" + SourceWriter.Invariant(i)) : "_" + SourceWriter.Invariant(i)))}));");
        w.Close();
    }

    // Event payloads keep direct kinds as they are and convert everything else in the constructor.
    private static bool IsDirect(TypeModel type) => DirectCodec.IsDirect(type);

    private static string WriteArgument(TypeModel type, string field) =>
        IsDirect(type) ? DirectCodec.Write(type, field) : $"writer.Write({field});";
}
