using Broker.Generators.Common;
using Microsoft.CodeAnalysis.Text;

namespace Broker.Generators.Model;

// Every model below is a record of strings, enums and EquatableArrays only: no ISymbol, SyntaxNode, Location or
// Compilation crosses a pipeline stage, so equal inputs produce equal models and Roslyn can reuse cached output.

/// <summary>Where a type sits: namespace, containing types and the type's own declaration keyword and name.</summary>
internal sealed record HierarchyInfo(string Namespace, EquatableArray<TypeDeclarationInfo> Containing, TypeDeclarationInfo Type, string FullName, string QualifiedName)
{
    /// <summary>A stable, sanitized hint-name stem (namespace and nesting included, so nested namesakes differ).</summary>
    public string HintStem => FullName.Replace('<', '_').Replace('>', '_').Replace('`', '_').Replace('+', '.');
}

/// <summary>One type declaration: its keyword (class, record, record struct, interface, struct) and name.</summary>
internal sealed record TypeDeclarationInfo(string Keyword, string Name);

/// <summary>The shape of a mapped .NET type.</summary>
internal enum MappedKind
{
    Boolean,
    Count,
    UInt32,
    UInt16,
    Byte,
    Integer,
    Int32,
    Int16,
    SByte,
    Real,
    Single,
    String,
    Address,
    Subnet,
    Port,
    Timestamp,
    Timespan,
    Data,
    Enum,
    Record,
    Nullable,
    Array,
    List,
    ImmutableArray,
    Set,
    Table,
}

/// <summary>A mapped type: C# name (global::-qualified, nullable-annotated), a short display name, and its components.</summary>
internal sealed record TypeModel(MappedKind Kind, string Name, string Display, EquatableArray<TypeModel> Arguments, EquatableArray<string> EnumMembers, bool IsValueType);

/// <summary>An event argument or a record field.</summary>
internal sealed record MemberModel(string Name, TypeModel Type);

/// <summary>How an event method returns.</summary>
internal enum ReturnKind
{
    Void,
    Task,
    ValueTask,
}

/// <summary>One event of a contract (declared on it or inherited from a base interface).</summary>
internal sealed record EventModel(
    string DeclaringInterface,
    string MethodName,
    string EventName,
    string Topic,
    bool AutoPublish,
    ReturnKind Return,
    EquatableArray<MemberModel> Parameters);

/// <summary>An event contract interface and everything needed to emit its publisher, dispatcher and auto-publisher.</summary>
internal sealed record ContractModel(
    HierarchyInfo Type,
    string TopicPrefix,
    EquatableArray<EventModel> Events,
    EquatableArray<string> SubscriptionPrefixes,
    bool HidesBaseContract);

/// <summary>The log-stream part of a <c>[LogStream]</c> record.</summary>
internal sealed record LogStreamModel(string Id, string? Path, string TopicPrefix);

/// <summary>A <c>[BrokerRecord]</c> or <c>[LogStream]</c> type: its fields in order and how to construct it.</summary>
internal sealed record RecordModel(HierarchyInfo Type, bool UsesConstructor, bool IsValueType, EquatableArray<MemberModel> Fields, LogStreamModel? Log);

/// <summary>A location without the syntax tree behind it (a <c>Location</c> would root the compilation).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan);

/// <summary>Why the generator could not produce one contract's code.</summary>
internal sealed record GeneratorFailure(string Contract, string Reason, LocationInfo? Location);

/// <summary>A parse result: the model, or the failure that replaces it.</summary>
internal sealed record ParseResult<T>(T? Model, GeneratorFailure? Failure)
    where T : class;
