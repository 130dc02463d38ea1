import keras_core as keras
from keras_core import layers

model = keras.Sequential([
    keras.Input(shape=(40, 57)),
    layers.LSTM(128),
    layers.Dense(57, activation="softmax"),
])
optimizer = keras.optimizers.RMSprop(learning_rate=0.01)   # expected: RNN101 warning (lr above usual)
model.compile(loss="categorical_crossentropy", optimizer=optimizer)
