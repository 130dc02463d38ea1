# Expected RNN306 (stateful LSTM, fit(shuffle=True)); got nothing.
# Cause: facts/training.py fit_input()/_input_kind(): for a tuple-unpacking assignment
# (`a, b, c, d = train_test_split(...)`, and even `a, b = C[:800], r[:800]`) the definition found for x is
# the whole right-hand side (a Call of sklearn or a Tuple), which is classified "unknown"; the check then
# skips the fit ("a generator or unknown input"). With `tr_C = C[:800]` on its own line RNN306 fires.
import numpy as np
from sklearn.model_selection import train_test_split
from keras.models import Sequential
from keras.layers import LSTM, Dense

C = np.load("c.npy")
r = np.load("r.npy")
tr_C, ts_C, tr_r, ts_r = train_test_split(C, r, train_size=.8)
model = Sequential()
model.add(LSTM(128, batch_input_shape=(200, C.shape[1], C.shape[2]), stateful=True))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam")
model.fit(tr_C, tr_r, batch_size=200, epochs=1, shuffle=True, validation_data=(ts_C, ts_r))
