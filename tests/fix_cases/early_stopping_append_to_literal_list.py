# flags: --unsafe-fixes
import numpy as np
from tensorflow.keras.callbacks import ModelCheckpoint
from tensorflow.keras.layers import GRU, Dense, Input
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import Adam

X_train, y_train = np.load("x.npy"), np.load("y.npy")
X_val, y_val = np.load("xv.npy"), np.load("yv.npy")
model = Sequential([Input(shape=(50, 2)), GRU(64), Dense(1)])
model.compile(optimizer=Adam(1e-3, clipnorm=1.0), loss="mse")
model.fit(
    X_train,
    y_train,
    epochs=200,
    validation_data=(X_val, y_val),
    callbacks=[
        ModelCheckpoint("best.keras", save_best_only=True),
    ],
)
# output
import numpy as np
from tensorflow.keras.callbacks import ModelCheckpoint, EarlyStopping
from tensorflow.keras.layers import GRU, Dense, Input
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import Adam

X_train, y_train = np.load("x.npy"), np.load("y.npy")
X_val, y_val = np.load("xv.npy"), np.load("yv.npy")
model = Sequential([Input(shape=(50, 2)), GRU(64), Dense(1)])
model.compile(optimizer=Adam(1e-3, clipnorm=1.0), loss="mse")
model.fit(
    X_train,
    y_train,
    epochs=200,
    validation_data=(X_val, y_val),
    callbacks=[
        ModelCheckpoint("best.keras", save_best_only=True),
        EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True),
    ],
)
