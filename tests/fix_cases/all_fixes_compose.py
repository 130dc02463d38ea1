# flags: --unsafe-fixes
import numpy as np
from sklearn.preprocessing import StandardScaler
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential

X_train, X_test = np.load("train.npy"), np.load("test.npy")
y_train, y_test = np.load("ytrain.npy"), np.load("ytest.npy")
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.fit_transform(X_test)
model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X_train, y_train, epochs=100, validation_data=(X_test, y_test))
# output
import numpy as np
from sklearn.preprocessing import StandardScaler
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import Adam
from tensorflow.keras.callbacks import EarlyStopping

X_train, X_test = np.load("train.npy"), np.load("test.npy")
y_train, y_test = np.load("ytrain.npy"), np.load("ytest.npy")
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile(optimizer=Adam(clipnorm=1.0), loss="mse")
model.fit(X_train, y_train, epochs=100, validation_data=(X_test, y_test), callbacks=[EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)])
