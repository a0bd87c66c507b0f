namespace Broker.Stores.Wire;

/// <summary>Broker's <c>entity_id</c>: an endpoint plus an object id within it (store actors, request handles).</summary>
/// <param name="Endpoint">The endpoint.</param>
/// <param name="Object">The object id (0 = none).</param>
internal readonly record struct EntityId(EndpointId Endpoint, ulong Object)
{
    public static EntityId Nil => default;

    public bool IsNil => Endpoint.IsNil && Object == 0;

    public override string ToString() => IsNil ? "nil" : $"{Endpoint}#{Object}";
}
