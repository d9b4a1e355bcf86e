"""The optional statistical NER backend (`--ner-model DIR`) on a tiny model built here.

The model is a two-layer BERT (hidden size 32) whose prediction for every word of its
vocabulary is fixed in advance, so the tests know which spans it returns: with the
attention and feed-forward outputs zeroed, each position's last hidden state is the
layer-normalised embedding of its own word; a word tagged k gets an embedding that is
+1/-1 on dimensions 2k and 2k+1, and the classifier reads label k from dimension 2k.
Words outside the vocabulary are [UNK], tagged O. The folder holds what a camel-tools
NERecognizer folder holds: config.json with ANERcorp labels, the weights, vocab.txt.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import torch
from helpers import ROOT
from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.entities import EntityFinder, LocalNER
from pipeline.errors import ConfigError

LABELS = ("B-LOC", "B-MISC", "B-ORG", "B-PERS", "I-LOC", "I-MISC", "I-ORG", "I-PERS", "O")
HIDDEN = 32
POSITIONS = 64  # small, so that a long paragraph must be read in windows
TAGS = {
    "zorvex": "B-ORG", "dynamics": "I-ORG",  # a company the gazetteer does not know
    "helena": "B-PERS", "marsh": "I-PERS",
    "microsoft": "B-PERS",  # wrong on purpose: the gazetteer's organisation must win
    "زورفكس": "B-ORG",
}
ENGLISH = "Zorvex Dynamics said its revenue rose to 12 mln dlrs, Helena Marsh told reporters after Microsoft called."

runner = CliRunner()


def build_tiny_ner(folder: Path, tags: dict[str, str]) -> Path:
    """Save a BERT token classifier that tags each word of `tags` as given and all else O."""
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *tags]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=POSITIONS,
        id2label=dict(enumerate(LABELS)), label2id={label: k for k, label in enumerate(LABELS)},
    )
    torch.manual_seed(0)
    model = BertForTokenClassification(config).eval()
    with torch.no_grad():
        embeddings = model.bert.embeddings
        for table in (embeddings.word_embeddings, embeddings.position_embeddings, embeddings.token_type_embeddings):
            table.weight.zero_()
        for layer in model.bert.encoder.layer:  # residual paths only: no mixing between positions
            for dense in (layer.attention.output.dense, layer.output.dense):
                dense.weight.zero_()
                dense.bias.zero_()
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        for k in range(len(LABELS)):
            model.classifier.weight[k, 2 * k] = 1.0
        for index, word in enumerate(vocab):
            k = LABELS.index(tags.get(word, "O"))
            embeddings.word_embeddings.weight[index, 2 * k] = 1.0
            embeddings.word_embeddings.weight[index, 2 * k + 1] = -1.0
    model.save_pretrained(folder)
    return folder


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No network: the Hugging Face switches are set and any connection attempt is recorded and refused."""
    attempts: list[object] = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert not attempts, f"something tried to connect to {attempts}"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return build_tiny_ner(tmp_path_factory.mktemp("ner") / "model", TAGS)


def spans(found) -> list[tuple[str, str, str, str]]:
    return [(f.text, f.name, f.type, f.how) for f in found]


def test_ner_backend_vocab_covers_the_test_words(model_dir):
    tokenizer = BertTokenizerFast.from_pretrained(model_dir)
    pieces = tokenizer.tokenize("Zorvex Dynamics Helena Marsh Microsoft زُورفكس")
    assert pieces == ["zorvex", "dynamics", "helena", "marsh", "microsoft", "زورفكس"]


def test_ner_backend_spans_are_merged_and_the_gazetteer_wins_overlaps(model_dir):
    finder = EntityFinder("en", model_dir)
    assert spans(finder.find(ENGLISH)) == [
        ("Zorvex Dynamics", "Zorvex Dynamics", "organisation", "ner"),
        ("Helena Marsh", "Helena Marsh", "person", "ner"),
        ("Microsoft", "Microsoft", "organisation", "gazetteer"),  # the model said PERS
    ]
    without = EntityFinder("en")
    assert spans(without.find(ENGLISH)) == [("Microsoft", "Microsoft", "organisation", "gazetteer")]


def test_ner_backend_offsets_point_into_the_text_as_written(model_dir):
    text = "قالـت شركة زُورفكس إن إيراداتها بلغت 12 مليون دولار."
    found = [f for f in EntityFinder("ar", model_dir).find(text) if f.how == "ner"]
    assert [(f.type, text[f.start : f.end]) for f in found] == [("organisation", "زُورفكس")]


def test_ner_backend_reads_a_long_paragraph_in_windows(model_dir):
    text = "Zorvex Dynamics said " + "sales rose and costs fell, " * 40 + "Helena Marsh said."
    ner = LocalNER(model_dir)
    assert len(ner._windows(text, 0, len(text))) > 1
    found = ner.find(text, 0, len(text), [])
    assert [(f.text, f.start) for f in found] == [("Zorvex Dynamics", 0), ("Helena Marsh", text.index("Helena"))]


def test_ner_backend_through_cli_extract(model_dir, tmp_path):
    src = tmp_path / "articles.jsonl"
    src.write_text(json.dumps({"id": "n1", "lang": "en", "text": "Zorvex Dynamics said its revenue rose to 12 mln dlrs in 2024."}) + "\n")
    entities = {}
    for name, extra in (("with", ["--ner-model", str(model_dir)]), ("without", [])):
        out = tmp_path / f"{name}.jsonl"
        result = runner.invoke(app, ["extract", str(src), "-o", str(out), *extra])
        assert result.exit_code == 0, result.output
        claims = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [c["amount"]["value"] for c in claims] == [12000000]
        entities[name] = claims[0]["entity"]
    assert entities["with"] == {"name": "Zorvex Dynamics", "text": "Zorvex Dynamics", "start": 0, "end": 15, "type": "organisation"}
    assert entities["without"] is None


def _no_config(folder: Path) -> None:
    (folder / "config.json").unlink()


def _no_id2label(folder: Path) -> None:
    config = json.loads((folder / "config.json").read_text())
    del config["id2label"], config["label2id"]
    (folder / "config.json").write_text(json.dumps(config))


def _other_labels(folder: Path) -> None:
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {"0": "LABEL_0", "1": "LABEL_1"}
    config["label2id"] = {"LABEL_0": 0, "LABEL_1": 1}
    (folder / "config.json").write_text(json.dumps(config))


def _no_weights(folder: Path) -> None:
    for weights in folder.glob("*.safetensors"):
        weights.unlink()
    for weights in folder.glob("*.bin"):
        weights.unlink()


BROKEN = {
    "missing folder": (None, "does not exist"),
    "no config.json": (_no_config, "has no config.json"),
    "no id2label": (_no_id2label, "has no id2label"),
    "no ORG or PERS label": (_other_labels, "no ORG or PERS label"),
    "no weights": (_no_weights, "cannot load the NER model"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_ner_backend_bad_folder_is_a_one_line_config_error(case, tmp_path):
    breaker, expected = BROKEN[case]
    folder = tmp_path / "model"
    if breaker is not None:
        breaker(build_tiny_ner(folder, TAGS))
    with pytest.raises(ConfigError, match=expected):
        EntityFinder("en", folder)
    result = runner.invoke(app, ["extract", str(ROOT / "corpora" / "sample"), "--ner-model", str(folder), "-o", str(tmp_path / "c.jsonl")])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().count("\n") == 0 and expected in result.stderr
    assert "Traceback" not in result.output
