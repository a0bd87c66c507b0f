using Microsoft.CodeAnalysis;

namespace Broker.Analyzers.Common
{
    /// <summary>
    /// The SDK symbols the analyzers need, resolved once per compilation (never per node). Null when the SDK is not
    /// referenced, in which case the analyzers register nothing.
    /// </summary>
    internal sealed class KnownSymbols
    {
        private KnownSymbols(Compilation compilation, INamedTypeSymbol topicParameter)
        {
            TopicParameterAttribute = topicParameter;
            StoreQueryAttribute = compilation.GetTypeByMetadataName("Broker.StoreQueryAttribute");
            BrokerEventsAttribute = compilation.GetTypeByMetadataName("Broker.BrokerEventsAttribute");
            BrokerEventAttribute = compilation.GetTypeByMetadataName("Broker.BrokerEventAttribute");
            LogStreamAttribute = compilation.GetTypeByMetadataName("Broker.LogStreamAttribute");
            CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
            TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
            Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
            TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
            ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
            ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
            DataStore = compilation.GetTypeByMetadataName("Broker.Stores.DataStore");
            StoreOptions = compilation.GetTypeByMetadataName("Broker.Stores.StoreOptions");
            Timeout = compilation.GetTypeByMetadataName("System.Threading.Timeout");
        }

        public INamedTypeSymbol TopicParameterAttribute { get; }
        public INamedTypeSymbol? StoreQueryAttribute { get; }
        public INamedTypeSymbol? BrokerEventsAttribute { get; }
        public INamedTypeSymbol? BrokerEventAttribute { get; }
        public INamedTypeSymbol? LogStreamAttribute { get; }
        public INamedTypeSymbol? CancellationToken { get; }
        public INamedTypeSymbol? TimeSpan { get; }
        public INamedTypeSymbol? Task { get; }
        public INamedTypeSymbol? TaskOfT { get; }
        public INamedTypeSymbol? ValueTask { get; }
        public INamedTypeSymbol? ValueTaskOfT { get; }
        public INamedTypeSymbol? DataStore { get; }
        public INamedTypeSymbol? StoreOptions { get; }
        public INamedTypeSymbol? Timeout { get; }

        /// <summary>Resolves the symbols, or returns null when the compilation does not reference Broker.Sdk.</summary>
        public static KnownSymbols? TryCreate(Compilation compilation)
        {
            INamedTypeSymbol? marker = compilation.GetTypeByMetadataName("Broker.TopicParameterAttribute");
            return marker is null ? null : new KnownSymbols(compilation, marker);
        }

        /// <summary>Finds an attribute of the given class on a symbol (exact class, no inheritance: the SDK's are sealed).</summary>
        public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null)
            {
                return null;
            }

            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeClass))
                {
                    return attribute;
                }
            }

            return null;
        }
    }
}
