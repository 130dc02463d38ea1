from keras.layers import recurrent, Dense
from keras.models import Sequential

RNN = recurrent.LSTM          # babi_rnn.py style switch between LSTM/GRU
EPOCHS = 40
model = Sequential()
model.add(RNN(50, input_shape=(10, 3)))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")                  # expected: RNN101 (info)
model.fit(X, Y, nb_epoch=EPOCHS, validation_split=0.05)      # expected: RNN301 (Keras 1 spelling of epochs)
