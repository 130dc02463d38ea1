# Debatable: RNN304 says monitor="val_acc" is never logged because compile logs "accuracy"/"val_accuracy".
# True for tf.keras >= 2.x / Keras >= 2.3, false for standalone Keras 2.0-2.2 (the era of `from keras...`
# tutorials), which logged metrics=["accuracy"] as "acc"/"val_acc". Very common in old LSTM tutorials.
# Cause: checks/early_stopping_monitors_missing_metric.py derives one spelling per metric; suggestion: accept
# both acc/accuracy spellings (or soften the message to "on Keras >= 2.3") when the script imports `keras`.
from keras.models import Sequential
from keras.layers import LSTM, Dense, Embedding
from keras.callbacks import EarlyStopping

model = Sequential()
model.add(Embedding(5000, 32, input_length=100))
model.add(LSTM(64))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
es = EarlyStopping(monitor="val_acc", patience=3, restore_best_weights=True)
model.fit(X, y, validation_split=0.2, epochs=30, callbacks=[es])
