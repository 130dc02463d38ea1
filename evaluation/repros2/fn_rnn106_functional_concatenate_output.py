# Expected RNN106 (categorical_crossentropy on a single linear unit: the loss is constant); got nothing.
# From gh_bimodal_bilstm_lr01.py line 54. The one-branch model in the same file (line 24) IS reported.
# Cause: facts/architecture.py output_head() -> _head_of_tensor(): `outputs=[out]` is a cst.List, which is
# not unwrapped (only Name/Attribute/Call are followed), so the head is unknown. With outputs=out it fires.
# Same gap for every rule that uses output_head (RNN204, RNN304's metric names).
from tensorflow.keras.layers import Input, LSTM, Dense, concatenate
from tensorflow.keras.models import Model

a = Input(shape=(50, 8))
b = Input(shape=(50, 4))
ha = LSTM(32)(a)
hb = LSTM(32)(b)
merged = concatenate([ha, hb])
out = Dense(1)(merged)
model = Model(inputs=[a, b], outputs=[out])
model.compile(optimizer="adam", loss="categorical_crossentropy")
