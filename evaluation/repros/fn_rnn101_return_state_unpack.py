import keras

inputs = keras.Input(shape=(None, 10))
x, h, c = keras.layers.LSTM(64, return_state=True)(inputs)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="rmsprop", loss="mse")
