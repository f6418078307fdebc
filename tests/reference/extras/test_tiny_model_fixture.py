"""The tiny model fixture that the other tests in this folder train and evaluate."""

from __future__ import annotations

from transformers import BertTokenizerFast

from conftest import SENTENCES


def test_tiny_vocabulary_has_no_unknown_words(tiny_bert_dir):
    tokenizer = BertTokenizerFast.from_pretrained(str(tiny_bert_dir))

    rows = tokenizer(SENTENCES)["input_ids"]

    assert all(tokenizer.unk_token_id not in row for row in rows)


def test_tiny_model_embeds_sentences_apart(tiny_model):
    embeddings = tiny_model.encode(SENTENCES[:3])

    assert embeddings.shape == (3, 16)
    assert len({tuple(row) for row in embeddings.round(6).tolist()}) == 3
