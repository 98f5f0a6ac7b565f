#!/usr/bin/env bash
# The quick start: builds Perplex and runs its main jobs on the small data in examples/data.
# Needs only the .NET 10 SDK; NuGet packages are restored by the build. Outputs go to ./out.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p out
echo "== building (Release)"
dotnet build src/Perplex.Cli/Perplex.Cli.csproj -c Release -v quiet -nologo
perplex() { dotnet src/Perplex.Cli/bin/Release/net10.0/Perplex.Cli.dll "$@"; }

echo "== vocabulary of a Shakespeare slice (words) and of Korean movie reviews (graphemes)"
perplex vocab build examples/data/shakespeare.txt -o out/shakespeare.vocab --min-count 2 --quiet
perplex vocab show out/shakespeare.vocab --top 5
perplex vocab build examples/data/nsmc-train-3k.tsv --column document --tokenizer char -o out/nsmc-chars.vocab --quiet
perplex vocab show out/nsmc-chars.vocab --top 5
