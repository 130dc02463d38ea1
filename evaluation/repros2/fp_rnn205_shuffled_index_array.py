# FP: RNN205 says the labels are "ordered by class", but they were shuffled through an index array first.
# Pattern: Chollet "Deep Learning with Python" 6.1 IMDB raw-text loader (labels appended per directory,
# then `indices = np.arange(...); np.random.shuffle(indices)`), also keras-io addition_rnn's shuffle idiom.
# Cause: facts/series.py OrderTracer._index_kind(): y[indices] counts as shuffled only when `indices`
# is *defined* by a numpy.random.* / permutation call; an np.arange index shuffled in place by
# np.random.shuffle(indices) is not recognised (_shuffled_in_place is only checked for the labels' own name).
import numpy as np
from tensorflow import keras

neg = np.load("neg.npy")
pos = np.load("pos.npy")
X = np.concatenate([neg, pos])
y = np.array([0] * len(neg) + [1] * len(pos))
indices = np.arange(len(X))
np.random.shuffle(indices)
X = X[indices]
y = y[indices]
model = keras.Sequential([keras.layers.Embedding(5000, 32), keras.layers.LSTM(32), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=5, validation_split=0.2)      # RNN205 reported here: FP
