#!/usr/bin/env bash
# Runs every test project of the solution (Release). Extra arguments go to `dotnet test`.
# Long fuzz/chaos/soak runs are off unless BROKER_LONG_TESTS=1.
set -uo pipefail
cd "$(dirname "$0")"
dotnet test Broker.Sdk.sln -c Release --logger "trx" --results-directory TestResults "$@"
