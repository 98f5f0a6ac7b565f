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

echo "== n-gram LM: 3-gram interpolated modified Kneser-Ney (as KenLM's lmplz), scored on held-out lines"
perplex ngram build --order 3 --output out/shakespeare.o3.arpa examples/data/shakespeare.txt --quiet
perplex ngram convert out/shakespeare.o3.arpa out/shakespeare.o3.bin --quiet
perplex ngram query out/shakespeare.o3.bin examples/data/shakespeare-valid.txt | tail -n 4
echo "-- next words after 'my lord':"
perplex ngram complete out/shakespeare.o3.bin "my lord" -k 5
echo "-- three sampled lines:"
for seed in 1 2 3; do perplex ngram generate out/shakespeare.o3.bin --seed $seed; done

echo "== neural LM: a character-level LSTM trained for 3 epochs (seconds on a quiet machine), then evaluated and sampled"
perplex train --model LSTM --level char --emsize 64 --nhid 128 --nlayers 1 --dropout 0 --optimizer adam --lr 0.003 \
    --clip 5 --epochs 3 --bptt 50 --batch-size 32 --seed 1 --train examples/data/shakespeare.txt \
    --valid examples/data/shakespeare-valid.txt --save out/char-lstm.safetensors --plot out/char-lstm.png --quiet
perplex eval out/char-lstm.safetensors examples/data/shakespeare-valid.txt
perplex generate out/char-lstm.safetensors --prompt "ROMEO:" --words 300 --temperature 0.7 --seed 1
echo

echo "== vanishing gradients: sigmoid RNN vs LSTM (short run; see docs/gradflow.md for the full lab)"
perplex gradflow --text examples/data/shakespeare.txt --model RNN_SIGMOID LSTM --steps 30 --train-updates 0 \
    --plot out/gradflow.png --quiet | tail -n 4

echo "== Korean sentiment: a BiLSTM classifier mixed with an n-gram model, on 3,000 NSMC reviews (the full run: docs/applications.md)"
perplex classify train --train examples/data/nsmc-train-3k.tsv --valid-fraction 0.1 --tokenizer split --pooling mean \
    --emsize 64 --nhid 64 --epochs 4 --dropout 0.5 --ngram-words 2 --ngram-chars 3 --ngram-bits 18 --seed 1 --save out/nsmc.st --quiet | tail -n 1
perplex classify eval out/nsmc.st examples/data/nsmc-test-1k.tsv | head -n 2
perplex classify out/nsmc.st "이 영화 정말 재밌다" "시간 아깝다"
